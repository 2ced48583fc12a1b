package dev.quorum.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.v1alpha1.MaintenanceStatus;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.DatabaseSize;
import dev.quorum.etcd.EtcdAlarm;
import dev.quorum.etcd.MemberView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NoSpaceRecoveryTest {

  static final long MIB = 1024 * 1024;
  static final long QUOTA = 100 * MIB;
  static final long REVISION = 5000;

  @Test
  void withoutANoSpaceAlarmThereIsNothingToDo() {
    assertThat(NoSpaceRecovery.next(cluster(3, 0, List.of()), Optional.empty(), QUOTA)).isEmpty();
    assertThat(NoSpaceRecovery.next(cluster(3, 0, List.of(new EtcdAlarm(0xa1, EtcdAlarm.Type.CORRUPT))),
        Optional.empty(), QUOTA)).as("CORRUPT is not this recovery's").isEmpty();
    assertThat(NoSpaceRecovery.next(new ClusterView(1, 0xa0, members(3, 0)), Optional.empty(), QUOTA))
        .as("alarms not read").isEmpty();
  }

  @Test
  void itBeginsByCompactingUpToTheLeadersRevision() {
    assertThat(NoSpaceRecovery.next(noSpace(3, 1), Optional.empty(), QUOTA))
        .contains(new DatabaseStep.Compact(NoSpaceRecovery.TYPE, REVISION, 3 * 30 * MIB));
  }

  @Test
  void nothingIsDoneWhileAMemberIsUnhealthyOrNoLeaderIsKnown() {
    List<MemberView> members = members(3, 1);
    members.set(2, unreachable(members.get(2)));
    ClusterView oneDown = new ClusterView(1, 0xa1, members, Optional.of(List.of(alarm())));

    assertThat(NoSpaceRecovery.next(oneDown, Optional.empty(), QUOTA)).get().isInstanceOfSatisfying(DatabaseStep.Wait.class,
        wait -> assertThat(wait.reason()).contains("not healthy: m-2"));
    assertThat(NoSpaceRecovery.next(new ClusterView(1, 0, members(3, 1), Optional.of(List.of(alarm()))),
        Optional.empty(), QUOTA)).get().isInstanceOf(DatabaseStep.Wait.class);
  }

  @ParameterizedTest(name = "{0} members, the leader at ordinal {1}")
  @ValueSource(strings = {"3,0", "3,1", "3,2", "5,0", "5,2", "5,4", "7,6"})
  void everyMemberIsDefragmentedOnceFollowersFirstAndTheLeaderAfterHandingLeadershipAway(String shape) {
    int size = Integer.parseInt(shape.split(",")[0]);
    int leader = Integer.parseInt(shape.split(",")[1]);
    MaintenanceStatus progress = compacted(REVISION);
    List<String> order = new ArrayList<>();
    int currentLeader = leader;
    for (int pass = 0; pass < 2 * size; pass++) {
      Optional<DatabaseStep> step = NoSpaceRecovery.next(noSpace(size, currentLeader), Optional.of(progress), QUOTA);
      assertThat(step).isPresent();
      if (step.get() instanceof DatabaseStep.MoveLeader move) {
        assertThat(move.member()).isEqualTo("m-" + currentLeader);
        assertThat(progress.getDefragmented()).as("leadership goes to a member defragmented already")
            .contains(move.toMember());
        currentLeader = Integer.parseInt(move.toMember().substring(2));
        continue;
      }
      if (step.get() instanceof DatabaseStep.Defragment defragment) {
        assertThat(defragment.member()).as("never the leader").isNotEqualTo("m-" + currentLeader);
        order.add(defragment.member());
        progress.getDefragmented().add(defragment.member());
        continue;
      }
      assertThat(step.get()).isInstanceOf(DatabaseStep.Disarm.class);
      break;
    }
    assertThat(order).as("each member once").containsExactlyInAnyOrderElementsOf(
        IntStream.range(0, size).mapToObj(i -> "m-" + i).toList());
    assertThat(order.get(size - 1)).as("the first leader last").isEqualTo("m-" + leader);
  }

  @Test
  void onceEveryMemberIsDefragmentedAndFitsTheAlarmIsDisarmed() {
    MaintenanceStatus progress = compacted(REVISION);
    progress.getDefragmented().addAll(List.of("m-0", "m-1", "m-2"));

    assertThat(NoSpaceRecovery.next(noSpace(3, 1, 30 * MIB), Optional.of(progress), QUOTA))
        .contains(new DatabaseStep.Disarm(NoSpaceRecovery.TYPE, List.of(alarm()), 3 * 30 * MIB));
  }

  @Test
  void dataThatStillDoesNotFitIsReportedAndNotDisarmed() {
    MaintenanceStatus progress = compacted(REVISION);
    progress.getDefragmented().addAll(List.of("m-0", "m-1", "m-2"));

    Optional<DatabaseStep> step = NoSpaceRecovery.next(noSpace(3, 1, 90 * MIB), Optional.of(progress), QUOTA);

    assertThat(step).get().isInstanceOfSatisfying(DatabaseStep.DoesNotFit.class, full -> assertThat(full.message())
        .contains("90.0 MiB of its 100.0 MiB quota", "grow spec.storage.size", "delete keys"));
  }

  @Test
  void deletesMadeMeanwhileStartTheCompactionOverSoTheirSpaceIsFreedToo() {
    MaintenanceStatus progress = compacted(REVISION - 10);
    progress.getDefragmented().addAll(List.of("m-0", "m-1", "m-2"));

    assertThat(NoSpaceRecovery.next(noSpace(3, 1, 90 * MIB), Optional.of(progress), QUOTA))
        .contains(new DatabaseStep.Compact(NoSpaceRecovery.TYPE, REVISION, 3 * 90 * MIB));
  }

  // ---- helpers ----

  static EtcdAlarm alarm() {
    return new EtcdAlarm(0xa1, EtcdAlarm.Type.NOSPACE);
  }

  static ClusterView noSpace(int size, int leader) {
    return noSpace(size, leader, 30 * MIB);
  }

  static ClusterView noSpace(int size, int leader, long dbBytes) {
    return new ClusterView(1, 0xa0 + leader, members(size, dbBytes), Optional.of(List.of(alarm())));
  }

  static ClusterView cluster(int size, int leader, List<EtcdAlarm> alarms) {
    return new ClusterView(1, 0xa0 + leader, members(size, QUOTA), Optional.of(alarms));
  }

  static List<MemberView> members(int size, long dbBytes) {
    List<MemberView> members = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      members.add(new MemberView(0xa0 + i, "m-" + i, List.of(), List.of(), false, true, true, "3.6.16", null,
          REVISION, REVISION, new DatabaseSize(dbBytes, dbBytes / 2)));
    }
    return members;
  }

  static MemberView unreachable(MemberView m) {
    return new MemberView(m.id(), m.name(), m.peerURLs(), m.clientURLs(), false, false, false, null, "refused");
  }

  static MaintenanceStatus compacted(long revision) {
    MaintenanceStatus progress = new MaintenanceStatus();
    progress.setType(NoSpaceRecovery.TYPE);
    progress.setCompactedRevision(revision);
    progress.setDefragmented(new ArrayList<>());
    return progress;
  }
}
