package dev.quorum.membership;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.etcd.ClusterSnapshot;
import dev.quorum.etcd.MemberSnapshot;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.MemberBootstrap;
import dev.quorum.model.MemberBootstrapRecords;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MemberReplacementTest {

  private final dev.quorum.api.v1alpha1.EtcdCluster ephemeral = ephemeralCluster();
  private final EtcdClusterModel model = TestClusters.model(ephemeral);
  private final MemberBootstrapRecords founding = TestClusters.foundingRecords(model);

  private static dev.quorum.api.v1alpha1.EtcdCluster ephemeralCluster() {
    dev.quorum.api.v1alpha1.EtcdCluster cluster = TestClusters.cluster("demo", 3);
    cluster.getSpec().getStorage().setEphemeral(true);
    return cluster;
  }

  /** A started voter (or learner), reachable and following a leader as given. */
  static MemberSnapshot member(int ordinal, long id, boolean started, boolean learner, boolean healthy) {
    String host = "demo-" + ordinal + ".demo.default.svc.cluster.local";
    return new MemberSnapshot(id, started ? "demo-" + ordinal : "", List.of("http://" + host + ":2380"),
        started ? List.of("http://" + host + ":2379") : List.of(), learner, healthy, healthy, healthy ? "3.6.16" : null,
        healthy ? null : "connection refused");
  }

  static ClusterSnapshot etcd(MemberSnapshot... members) {
    return new ClusterSnapshot(0xcafe, members[0].id(), List.of(members));
  }

  private List<Pod> podsWithout(int... missing) {
    List<Pod> pods = new ArrayList<>(TestClusters.readyPods(model));
    for (int ordinal : missing) {
      pods.removeIf(p -> p.getMetadata().getName().equals("demo-" + ordinal));
    }
    return pods;
  }

  private MemberReplacement.Plan plan(MemberBootstrapRecords records, List<Pod> pods, ClusterSnapshot etcd) {
    return MemberReplacement.plan(TestClusters.model(ephemeral, records), records, pods, List.of(), Optional.of(etcd));
  }

  @Test
  void aHealthyClusterNeedsNothing() {
    MemberReplacement.Plan plan = plan(founding, podsWithout(), etcd(member(0, 1, true, false, true),
        member(1, 2, true, false, true), member(2, 3, true, false, true)));

    assertThat(plan.step()).isEmpty();
    assertThat(plan.holdBack()).isEmpty();
  }

  @Test
  void aMemberWhoseEphemeralPodIsGoneIsRemovedFirstAndItsPodHeldBack() {
    MemberReplacement.Plan plan = plan(founding, podsWithout(1), etcd(member(0, 1, true, false, true),
        member(1, 2, true, false, false), member(2, 3, true, false, true)));

    assertThat(plan.step()).contains(new MemberReplacement.Step.Remove("demo-1", 2));
    assertThat(plan.holdBack()).containsExactly("demo-1");
  }

  @Test
  void aRemovalThatWouldCostQuorumWaits() {
    // demo-2 is down too: removing demo-1 leaves 1 healthy of 2 voters, below their quorum of 2
    MemberReplacement.Plan plan = plan(founding, podsWithout(1), etcd(member(0, 1, true, false, true),
        member(1, 2, true, false, false), member(2, 3, true, false, false)));

    assertThat(plan.step()).get().isInstanceOf(MemberReplacement.Step.Wait.class);
    assertThat(((MemberReplacement.Step.Wait) plan.step().get()).reason())
        .contains("1 healthy of 2 voting members, below the quorum of 2");
    assertThat(plan.holdBack()).containsExactly("demo-1");
  }

  @Test
  void onceRemovedItIsAddedBackAsALearnerAtItsPeerUrl() {
    MemberReplacement.Plan plan = plan(founding, podsWithout(1), etcd(member(0, 1, true, false, true),
        member(2, 3, true, false, true)));

    assertThat(plan.step()).contains(new MemberReplacement.Step.AddLearner("demo-1",
        TestClusters.member(model, 1).peerUrl()));
    assertThat(plan.holdBack()).containsExactly("demo-1");
  }

  @Test
  void theAddedLearnerIsRecordedAsJoiningTheMembershipThenItsPodMayStart() {
    ClusterSnapshot etcd = etcd(member(0, 1, true, false, true), member(1, 9, false, true, false),
        member(2, 3, true, false, true));

    MemberReplacement.Plan plan = plan(founding, podsWithout(1), etcd);

    MemberBootstrap joining = new MemberBootstrap(MemberBootstrap.State.EXISTING,
        TestClusters.member(model, 0).bootstrap().initialCluster(), model.initialClusterToken());
    assertThat(plan.step()).contains(new MemberReplacement.Step.Record("demo-1", joining));
    assertThat(plan.holdBack()).containsExactly("demo-1");

    MemberBootstrapRecords after = founding.with("demo-1", joining);
    MemberReplacement.Plan next = plan(after, podsWithout(1), etcd);
    assertThat(next.step()).isEmpty();
    assertThat(next.holdBack()).as("its pod may be created now").isEmpty();
  }

  @Test
  void aStartedLearnerIsPromoted() {
    MemberReplacement.Plan plan = plan(founding, podsWithout(), etcd(member(0, 1, true, false, true),
        member(1, 9, true, true, true), member(2, 3, true, false, true)));

    assertThat(plan.step()).contains(new MemberReplacement.Step.Promote("demo-1", 9));
  }

  @Test
  void aPersistentMemberWithItsClaimJustRestartsAndOneWithoutIsReplaced() {
    dev.quorum.api.v1alpha1.EtcdCluster persistent = TestClusters.cluster("demo", 3);
    EtcdClusterModel pvcModel = TestClusters.model(persistent);
    MemberBootstrapRecords records = TestClusters.foundingRecords(pvcModel);
    List<Pod> pods = new ArrayList<>(TestClusters.readyPods(pvcModel));
    pods.removeIf(p -> p.getMetadata().getName().equals("demo-2"));
    ClusterSnapshot etcd = etcd(member(0, 1, true, false, true), member(1, 2, true, false, true),
        member(2, 3, true, false, false));
    List<PersistentVolumeClaim> claims = new ArrayList<>(TestClusters.claims(pvcModel));

    assertThat(MemberReplacement.plan(pvcModel, records, pods, claims, Optional.of(etcd)).step())
        .as("its data is on its claim: the pod is simply recreated").isEmpty();

    claims.removeIf(c -> c.getMetadata().getName().equals("data-demo-2"));
    assertThat(MemberReplacement.plan(pvcModel, records, pods, claims, Optional.of(etcd)).step())
        .contains(new MemberReplacement.Step.Remove("demo-2", 3));
  }

  @Test
  void oneChangeAtATimeTheOthersWait() {
    MemberReplacement.Plan plan = plan(founding, podsWithout(0, 2), etcd(member(1, 2, true, false, true),
        member(0, 1, true, false, false), member(2, 3, true, false, false)));

    // both lost their data; removing either would leave 1 healthy of 2: the first waits, the second waits its turn
    assertThat(plan.step()).get().isInstanceOf(MemberReplacement.Step.Wait.class);
    assertThat(plan.step().get().member()).isEqualTo("demo-0");
    assertThat(plan.holdBack()).containsExactlyInAnyOrder("demo-0", "demo-2");
  }

  @Test
  void withoutEtcdOrBeforeAnyRecordNothingIsDecided() {
    assertThat(MemberReplacement.plan(model, founding, podsWithout(1), List.of(), Optional.empty()).step()).isEmpty();
    assertThat(MemberReplacement.plan(model, MemberBootstrapRecords.NONE, List.of(), List.of(),
        Optional.of(etcd(member(0, 1, false, false, false)))).holdBack()).isEmpty();
  }
}
