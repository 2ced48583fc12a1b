package dev.quorum.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.v1alpha1.DefragmentationPolicy;
import dev.quorum.api.v1alpha1.MaintenanceStatus;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.DatabaseSize;
import dev.quorum.etcd.EtcdAlarm;
import dev.quorum.etcd.MemberView;
import dev.quorum.model.CronSchedule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DefragmentationTest {

  static final long MIB = 1024 * 1024;
  static final Instant CREATED = Instant.parse("2026-12-01T00:00:00Z");
  static final Instant NOW = Instant.parse("2026-12-07T03:30:00Z");

  @Test
  void aScheduleIsDueOnceARunHasPassedSinceEveryMemberWasLastDefragmented() throws Exception {
    DefragmentationPolicy daily = policy("0 3 * * *", null);
    Optional<CronSchedule> schedule = Optional.of(CronSchedule.parse("0 3 * * *", "UTC"));

    assertThat(next(cluster(1, 10), daily, Optional.empty(), CREATED, schedule)).get()
        .isInstanceOf(DatabaseStep.Defragment.class);
    assertThat(next(cluster(1, 10), daily, Optional.empty(), Instant.parse("2026-12-07T03:00:05Z"), schedule))
        .as("today's run began already").isEmpty();
    assertThat(Defragmentation.next(cluster(1, 10), daily, Optional.empty(), CREATED, schedule,
        Instant.parse("2026-12-07T14:00:00Z"))).as("a policy added at 14:00 waits for 03:00").isEmpty();
  }

  @Test
  void freePagesPastTheShareOfAFileBeginItButSmallDatabasesAreLeftAlone() {
    DefragmentationPolicy half = policy(null, 50);

    assertThat(next(cluster(1, 100), half, Optional.empty(), CREATED, Optional.empty())).get()
        .isInstanceOf(DatabaseStep.Defragment.class);
    assertThat(next(cluster(1, 40), half, Optional.empty(), CREATED, Optional.empty())).as("40% free").isEmpty();
    assertThat(next(cluster(1, 60, 8 * MIB), half, Optional.empty(), CREATED, Optional.empty()))
        .as("60% of a small file").isEmpty();
  }

  @Test
  void onceBegunEveryMemberIsDefragmentedLeaderLastThenItFinishes() {
    MaintenanceStatus progress = new MaintenanceStatus();
    progress.setType(Defragmentation.TYPE);
    progress.setDefragmented(new ArrayList<>(List.of("m-0", "m-2")));
    DefragmentationPolicy half = policy(null, 50);

    assertThat(next(cluster(1, 0), half, Optional.of(progress), CREATED, Optional.empty())).get()
        .isInstanceOfSatisfying(DatabaseStep.MoveLeader.class, move -> assertThat(move.member()).isEqualTo("m-1"));
    progress.getDefragmented().add("m-1");
    assertThat(next(cluster(0, 0), half, Optional.of(progress), CREATED, Optional.empty())).get()
        .isInstanceOf(DatabaseStep.Finish.class);
  }

  @Test
  void nothingBeginsWhileNoSpaceIsRaisedOrAMemberIsUnhealthy() {
    DefragmentationPolicy half = policy(null, 50);
    ClusterView noSpace = cluster(1, 100).withAlarms(List.of(new EtcdAlarm(0xa0, EtcdAlarm.Type.NOSPACE)));
    List<MemberView> members = new ArrayList<>(cluster(1, 100).members());
    members.set(2, new MemberView(0xa2, "m-2", List.of(), List.of(), false, false, false, null, "refused"));

    assertThat(next(noSpace, half, Optional.empty(), CREATED, Optional.empty())).isEmpty();
    assertThat(next(new ClusterView(1, 0xa1, members, Optional.of(List.of())), half, Optional.empty(), CREATED,
        Optional.empty())).get().isInstanceOf(DatabaseStep.Wait.class);
  }

  @Test
  void theLastRunIsTheLastMaintenancesStartOrTheClustersCreation() {
    MaintenanceStatus last = new MaintenanceStatus();
    last.setStartedAt("2026-12-06T03:00:01Z");

    assertThat(Defragmentation.lastEnded(Optional.of(last), CREATED)).isEqualTo(Instant.parse("2026-12-06T03:00:01Z"));
    assertThat(Defragmentation.lastEnded(Optional.empty(), CREATED)).isEqualTo(CREATED);
    last.setStartedAt("yesterday");
    assertThat(Defragmentation.lastEnded(Optional.of(last), CREATED)).isEqualTo(CREATED);
  }

  private static Optional<DatabaseStep> next(ClusterView etcd, DefragmentationPolicy policy,
      Optional<MaintenanceStatus> progress, Instant lastEnded, Optional<CronSchedule> schedule) {
    return Defragmentation.next(etcd, policy, progress, lastEnded, schedule, NOW);
  }

  static DefragmentationPolicy policy(String schedule, Integer percent) {
    DefragmentationPolicy policy = new DefragmentationPolicy();
    policy.setSchedule(schedule);
    policy.setFreeSpacePercent(percent);
    return policy;
  }

  static ClusterView cluster(int leader, int freePercent) {
    return cluster(leader, freePercent, 512 * MIB);
  }

  /** Three members whose database files are {@code bytes}, {@code freePercent} of them free pages. */
  static ClusterView cluster(int leader, int freePercent, long bytes) {
    List<MemberView> members = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      members.add(new MemberView(0xa0 + i, "m-" + i, List.of(), List.of(), false, true, true, "3.6.16", null, 100, 100,
          new DatabaseSize(bytes, bytes - bytes * freePercent / 100)));
    }
    return new ClusterView(1, 0xa0 + leader, members, Optional.of(List.of()));
  }
}
