package dev.quorum.membership;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.DatabaseSize;
import dev.quorum.etcd.MemberView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DowngradePlanTest {

  static final String TARGET = "3.5.35";

  @Test
  void withEveryMemberOnTheNewerMinorTheDowngradeIsEnabledBeforeAnyMemberIsRolledBack() {
    assertThat(DowngradePlan.next(TARGET, cluster(member(0, "3.6.16", "3.6.0", null), member(1, "3.6.16", "3.6.0",
        null), member(2, "3.6.16", "3.6.0", null))))
        .contains(new DowngradePlan.Step.Enable("3.5", "3.6"));
  }

  @Test
  void itIsEnabledOnlyWhileEveryMemberIsHealthy() {
    assertThat(DowngradePlan.next(TARGET, cluster(member(0, "3.6.16", "3.6.0", null), member(1, "3.6.16", "3.6.0",
        null), down(2)))).get().isInstanceOfSatisfying(DowngradePlan.Step.Wait.class,
            wait -> assertThat(wait.reason()).contains("every member is healthy; not: m-2"));
  }

  @Test
  void onceEnabledTheRollWaitsUntilEveryNewerMemberKeepsItsDataInTheOlderFormat() {
    assertThat(DowngradePlan.next(TARGET, cluster(member(0, "3.6.16", "3.5.0", "3.5.0"), member(1, "3.6.16", "3.6.0",
        "3.5.0"), member(2, "3.6.16", "3.5.0", "3.5.0")))).get()
        .isInstanceOfSatisfying(DowngradePlan.Step.Wait.class, wait -> assertThat(wait.reason())
            .contains("waiting for m-1 to answer with its data in 3.5's format"));
    assertThat(DowngradePlan.next(TARGET, cluster(member(0, "3.6.16", "3.5.0", "3.5.0"), member(1, "3.6.16", "3.5.0",
        "3.5.0"), member(2, "3.6.16", "3.5.0", "3.5.0")))).as("migrated: the roll goes on").isEmpty();
  }

  @Test
  void theRollGoesOnWhileSomeMembersAlreadyRunTheOlderMinorAndAMemberRestartingHoldsIt() {
    assertThat(DowngradePlan.next(TARGET, cluster(member(0, "3.5.35", null, null), member(1, "3.6.16", "3.5.0",
        "3.5.0"), member(2, "3.5.35", null, null)))).isEmpty();
    assertThat(DowngradePlan.next(TARGET, cluster(down(0), member(1, "3.6.16", "3.5.0", "3.5.0"),
        member(2, "3.5.35", null, null)))).as("m-0 restarting: it answers before the next member's turn").get()
        .isInstanceOf(DowngradePlan.Step.Wait.class);
    assertThat(DowngradePlan.next(TARGET, cluster(member(0, "3.5.35", null, null), member(1, "3.5.35", null, null),
        member(2, "3.5.35", null, null)))).as("done: etcd ended the downgrade").isEmpty();
  }

  @Test
  void aDowngradeEnabledForAMinorTheMembersNoLongerGoToIsCancelled() {
    // a member failed on 3.5 and the roll went back to 3.6
    assertThat(DowngradePlan.next("3.6.16", cluster(member(0, "3.5.35", null, null), member(1, "3.6.16", "3.5.0",
        "3.5.0"), member(2, "3.6.16", "3.5.0", "3.5.0"))))
        .contains(new DowngradePlan.Step.Cancel("3.5", "3.6.16"));
  }

  @Test
  void anUpgradeAPatchChangeOrAHalfDoneUpgradeUndoneNeedsNoDowngrade() {
    assertThat(DowngradePlan.next("3.6.16", cluster(member(0, "3.5.35", null, null), member(1, "3.5.35", null, null),
        member(2, "3.5.35", null, null)))).isEmpty();
    assertThat(DowngradePlan.next("3.6.15", cluster(member(0, "3.6.16", "3.6.0", null), member(1, "3.6.16", "3.6.0",
        null), member(2, "3.6.16", "3.6.0", null)))).isEmpty();
    assertThat(DowngradePlan.next(TARGET, cluster(member(0, "3.5.35", null, null), member(1, "3.6.16", "3.5.0", null),
        member(2, "3.6.16", "3.5.0", null)))).as("the cluster version never moved").isEmpty();
  }

  @Test
  void anUpgradeRolledBackBeforeTheDataMovedToTheNewerFormatNeedsNoDowngradeThoughAMemberIsDown() {
    // the last member failed on 3.6 before it ever ran: the cluster version, and the data, stayed 3.5
    assertThat(DowngradePlan.next(TARGET, cluster(member(0, "3.6.16", "3.5.0", null), member(1, "3.6.16", "3.5.0",
        null), down(2)))).isEmpty();
  }

  static ClusterView cluster(MemberView... members) {
    return new ClusterView(1, members[0].id(), new ArrayList<>(List.of(members)));
  }

  static MemberView member(int ordinal, String version, String storage, String downgradeTarget) {
    return new MemberView(0xa0 + ordinal, "m-" + ordinal, List.of(), List.of(), false, true, true, version, null, 100,
        100, DatabaseSize.UNKNOWN, storage, downgradeTarget);
  }

  static MemberView down(int ordinal) {
    return new MemberView(0xa0 + ordinal, "m-" + ordinal, List.of(), List.of(), false, false, false, null, "refused");
  }
}
