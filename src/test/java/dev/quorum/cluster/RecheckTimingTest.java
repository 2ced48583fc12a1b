package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.membership.MembershipPlanner;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.MemberBootstrapRecords;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RecheckTimingTest {

  private static final Duration REFRESH = Duration.ofSeconds(30);

  private final EtcdClusterModel model = TestClusters.model(TestClusters.cluster("demo", 3));
  private final MemberBootstrapRecords founding = TestClusters.foundingRecords(model);

  @Test
  void aSettledClusterIsLookedAtAgainAtTheStatusRefresh() {
    assertThat(RecheckTiming.after(observation(TestClusters.readyPods(model), Optional.empty(), etcd(false)),
        PassOutcome.NOTHING, REFRESH)).isEqualTo(REFRESH);
  }

  @Test
  void aFailedPassIsRetriedSoon() {
    assertThat(RecheckTiming.after(observation(TestClusters.readyPods(model), Optional.of("refused"), etcd(false)),
        PassOutcome.failed("refused"), REFRESH)).isEqualTo(RecheckTiming.RETRY_AFTER_ERROR);
  }

  @Test
  void aMembershipStepOrALearnerCatchingUpIsFollowedEveryHalfSecond() {
    PassOutcome promoting = new PassOutcome(true, Optional.empty(),
        Optional.of(new MembershipPlanner.Step.Promote("demo-2", 3, MembershipPlanner.Operation.AddMember)), Optional.empty(), Optional.empty());
    assertThat(RecheckTiming.after(observation(TestClusters.readyPods(model), Optional.empty(), etcd(false)),
        promoting, REFRESH)).isEqualTo(RecheckTiming.RECHECK_WHILE_MEMBERSHIP_CHANGES);

    assertThat(RecheckTiming.after(observation(TestClusters.readyPods(model), Optional.empty(), etcd(true)),
        PassOutcome.NOTHING, REFRESH)).isEqualTo(RecheckTiming.RECHECK_WHILE_MEMBERSHIP_CHANGES);
  }

  @Test
  void aStepOfTheDatabasesCareIsFollowedEveryHalfSecondButNotOneThatWaits() {
    var defragment = new dev.quorum.maintenance.DatabaseStep.Defragment("Defragmentation", "demo-1", 0, 0);
    var waits = new dev.quorum.maintenance.DatabaseStep.Wait("Defragmentation", "demo-2 is not healthy");
    PassOutcome defragmented = PassOutcome.NOTHING.withCare(Optional.of(
        new DatabaseCare.Outcome(defragment, Optional.empty(), Optional.empty())));
    PassOutcome waiting = PassOutcome.NOTHING.withCare(Optional.of(
        new DatabaseCare.Outcome(waits, Optional.empty(), Optional.empty())));

    assertThat(RecheckTiming.after(observation(TestClusters.readyPods(model), Optional.empty(), etcd(false)),
        defragmented, REFRESH)).isEqualTo(RecheckTiming.RECHECK_WHILE_MEMBERSHIP_CHANGES);
    assertThat(RecheckTiming.after(observation(TestClusters.readyPods(model), Optional.empty(), etcd(false)),
        waiting, REFRESH)).isEqualTo(REFRESH);
  }

  @Test
  void aStepThatWaitsIsNotFollowedAsClosely() {
    PassOutcome waiting = new PassOutcome(false, Optional.of("a voter is unhealthy"),
        Optional.of(new MembershipPlanner.Step.Wait("demo-2", MembershipPlanner.WAITING_FOR_HEALTHY_MEMBERS, "a voter is unhealthy",
            MembershipPlanner.Operation.AddMember)), Optional.empty(),
        Optional.empty());
    assertThat(RecheckTiming.after(observation(TestClusters.readyPods(model), Optional.empty(), etcd(false)),
        waiting, REFRESH)).isEqualTo(REFRESH);
  }

  @Test
  void aMissingMemberOrAChangeMadeIsLookedAtAgainWithinSeconds() {
    List<Pod> withoutOne = new ArrayList<>(TestClusters.readyPods(model));
    withoutOne.remove(2);
    assertThat(RecheckTiming.after(observation(withoutOne, Optional.empty(), etcd(false)), PassOutcome.NOTHING,
        REFRESH)).isEqualTo(RecheckTiming.RECHECK_WHILE_CHANGING);

    PassOutcome created = new PassOutcome(true, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    assertThat(RecheckTiming.after(observation(TestClusters.readyPods(model), Optional.empty(), etcd(false)), created,
        REFRESH)).isEqualTo(RecheckTiming.RECHECK_WHILE_CHANGING);
  }

  @Test
  void runningMembersTheOperatorCouldNotReachAreLookedAtAgainWithinSeconds() {
    assertThat(RecheckTiming.after(observation(TestClusters.readyPods(model), Optional.empty(), Optional.empty()),
        PassOutcome.NOTHING, REFRESH)).isEqualTo(RecheckTiming.RECHECK_UNREACHED);

    ClusterView oneUnreached = etcd(false);
    List<MemberView> members = new ArrayList<>(oneUnreached.members());
    MemberView last = members.get(2);
    members.set(2, new MemberView(last.id(), last.name(), last.peerURLs(), last.clientURLs(), false, false, false,
        null, "no such host"));
    assertThat(RecheckTiming.after(observation(TestClusters.readyPods(model), Optional.empty(),
        Optional.of(new ClusterView(oneUnreached.clusterId(), oneUnreached.leaderId(), members))), PassOutcome.NOTHING,
        REFRESH)).isEqualTo(RecheckTiming.RECHECK_UNREACHED);

    assertThat(RecheckTiming.after(observation(TestClusters.readyPods(model), Optional.empty(), Optional.empty()),
        PassOutcome.NOTHING, Duration.ofSeconds(2))).as("a shorter status refresh stays").isEqualTo(Duration.ofSeconds(2));
  }

  private Observation observation(List<Pod> pods, Optional<String> error, ClusterView etcd) {
    return observation(pods, error, Optional.of(etcd));
  }

  private Observation observation(List<Pod> pods, Optional<String> error, Optional<ClusterView> etcd) {
    return new Observation(model, founding, pods, etcd, List.of(), error, Optional.empty(),
        Instant.parse("2026-01-01T00:00:00Z"));
  }

  /** demo-0 and demo-1 voters; demo-2 a voter too, or a learner catching up. */
  private static ClusterView etcd(boolean lastIsLearner) {
    List<MemberView> members = new ArrayList<>();
    for (int ordinal = 0; ordinal < 3; ordinal++) {
      String host = "demo-" + ordinal + ".demo.default.svc.cluster.local";
      members.add(new MemberView(ordinal + 1, "demo-" + ordinal, List.of("http://" + host + ":2380"),
          List.of("http://" + host + ":2379"), lastIsLearner && ordinal == 2, true, true, "3.6.16", null));
    }
    return new ClusterView(0xcafe, 1, members);
  }
}
