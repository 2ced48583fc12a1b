package dev.quorum.membership;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrap;
import dev.quorum.model.MemberBootstrapRecords;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MembershipPlannerTest {

  private static final MembershipPlanner.Operation REPLACE = MembershipPlanner.Operation.ReplaceMember;
  private static final MembershipPlanner.Operation ADD = MembershipPlanner.Operation.AddMember;
  private static final MembershipPlanner.Operation REMOVE = MembershipPlanner.Operation.RemoveMember;

  private final dev.quorum.api.v1alpha1.EtcdCluster ephemeral = ephemeralCluster();
  private final EtcdClusterModel model = TestClusters.model(ephemeral);
  private final MemberBootstrapRecords founding = TestClusters.foundingRecords(model);

  private static dev.quorum.api.v1alpha1.EtcdCluster ephemeralCluster() {
    dev.quorum.api.v1alpha1.EtcdCluster cluster = TestClusters.cluster("demo", 3);
    cluster.getSpec().getStorage().setEphemeral(true);
    return cluster;
  }

  /** A started voter (or learner), reachable and following a leader as given. */
  static MemberView member(int ordinal, long id, boolean started, boolean learner, boolean healthy) {
    String host = "demo-" + ordinal + ".demo.default.svc.cluster.local";
    return new MemberView(id, started ? "demo-" + ordinal : "", List.of("http://" + host + ":2380"),
        started ? List.of("http://" + host + ":2379") : List.of(), learner, healthy, healthy, healthy ? "3.6.16" : null,
        healthy ? null : "connection refused");
  }

  static ClusterView etcd(MemberView... members) {
    return new ClusterView(0xcafe, members[0].id(), List.of(members));
  }

  private List<Pod> podsWithout(int... missing) {
    List<Pod> pods = new ArrayList<>(TestClusters.readyPods(model));
    for (int ordinal : missing) {
      pods.removeIf(p -> p.getMetadata().getName().equals("demo-" + ordinal));
    }
    return pods;
  }

  private MembershipPlanner.Plan plan(MemberBootstrapRecords records, List<Pod> pods, ClusterView etcd) {
    return MembershipPlanner.plan(TestClusters.model(ephemeral, records), records, pods, List.of(), Optional.of(etcd));
  }

  @Test
  void aHealthyClusterNeedsNothing() {
    MembershipPlanner.Plan plan = plan(founding, podsWithout(), etcd(member(0, 1, true, false, true),
        member(1, 2, true, false, true), member(2, 3, true, false, true)));

    assertThat(plan.step()).isEmpty();
    assertThat(plan.holdBack()).isEmpty();
  }

  @Test
  void aMemberWhoseEphemeralPodIsGoneIsRemovedFirstAndItsPodHeldBack() {
    MembershipPlanner.Plan plan = plan(founding, podsWithout(1), etcd(member(0, 1, true, false, true),
        member(1, 2, true, false, false), member(2, 3, true, false, true)));

    assertThat(plan.step()).contains(new MembershipPlanner.Step.Remove("demo-1", 2, REPLACE));
    assertThat(plan.holdBack()).containsExactly("demo-1");
  }

  @Test
  void aRemovalThatWouldCostQuorumWaits() {
    // demo-2 is down too: removing demo-1 leaves 1 healthy of 2 voters, below their quorum of 2
    MembershipPlanner.Plan plan = plan(founding, podsWithout(1), etcd(member(0, 1, true, false, true),
        member(1, 2, true, false, false), member(2, 3, true, false, false)));

    assertThat(plan.step()).get().isInstanceOf(MembershipPlanner.Step.Wait.class);
    assertThat(((MembershipPlanner.Step.Wait) plan.step().get()).reason())
        .contains("1 healthy of 2 voting members, below the quorum of 2");
    assertThat(plan.holdBack()).containsExactly("demo-1");
  }

  @Test
  void onceRemovedItIsAddedBackAsALearnerAtItsPeerUrl() {
    MembershipPlanner.Plan plan = plan(founding, podsWithout(1), etcd(member(0, 1, true, false, true),
        member(2, 3, true, false, true)));

    assertThat(plan.step()).contains(new MembershipPlanner.Step.AddLearner("demo-1",
        TestClusters.member(model, 1).peerUrl(), REPLACE));
    assertThat(plan.holdBack()).containsExactly("demo-1");
  }

  @Test
  void theAddedLearnerIsRecordedAsJoiningTheMembershipThenItsPodMayStart() {
    ClusterView etcd = etcd(member(0, 1, true, false, true), member(1, 9, false, true, false),
        member(2, 3, true, false, true));

    MembershipPlanner.Plan plan = plan(founding, podsWithout(1), etcd);

    MemberBootstrap joining = new MemberBootstrap(MemberBootstrap.State.EXISTING,
        TestClusters.member(model, 0).bootstrap().initialCluster(), model.initialClusterToken());
    assertThat(plan.step()).contains(new MembershipPlanner.Step.Record("demo-1", joining, REPLACE));
    assertThat(plan.holdBack()).containsExactly("demo-1");

    MemberBootstrapRecords after = founding.with("demo-1", joining);
    MembershipPlanner.Plan next = plan(after, podsWithout(1), etcd);
    assertThat(next.step()).isEmpty();
    assertThat(next.holdBack()).as("its pod may be created now").isEmpty();
  }

  @Test
  void aStartedLearnerIsPromoted() {
    MembershipPlanner.Plan plan = plan(founding, podsWithout(), etcd(member(0, 1, true, false, true),
        member(1, 9, true, true, true), member(2, 3, true, false, true)));

    assertThat(plan.step()).contains(new MembershipPlanner.Step.Promote("demo-1", 9, ADD));
  }

  @Test
  void aPersistentMemberWithItsClaimJustRestartsAndOneWithoutIsReplaced() {
    dev.quorum.api.v1alpha1.EtcdCluster persistent = TestClusters.cluster("demo", 3);
    EtcdClusterModel pvcModel = TestClusters.model(persistent);
    MemberBootstrapRecords records = TestClusters.foundingRecords(pvcModel);
    List<Pod> pods = new ArrayList<>(TestClusters.readyPods(pvcModel));
    pods.removeIf(p -> p.getMetadata().getName().equals("demo-2"));
    ClusterView etcd = etcd(member(0, 1, true, false, true), member(1, 2, true, false, true),
        member(2, 3, true, false, false));
    List<PersistentVolumeClaim> claims = new ArrayList<>(TestClusters.claims(pvcModel));

    assertThat(MembershipPlanner.plan(pvcModel, records, pods, claims, Optional.of(etcd)).step())
        .as("its data is on its claim: the pod is simply recreated").isEmpty();

    claims.removeIf(c -> c.getMetadata().getName().equals("data-demo-2"));
    assertThat(MembershipPlanner.plan(pvcModel, records, pods, claims, Optional.of(etcd)).step())
        .contains(new MembershipPlanner.Step.Remove("demo-2", 3, REPLACE));
  }

  @Test
  void oneChangeAtATimeTheOthersWait() {
    MembershipPlanner.Plan plan = plan(founding, podsWithout(0, 2), etcd(member(1, 2, true, false, true),
        member(0, 1, true, false, false), member(2, 3, true, false, false)));

    // both lost their data; removing either would leave 1 healthy of 2: the first waits, the second waits its turn
    assertThat(plan.step()).get().isInstanceOf(MembershipPlanner.Step.Wait.class);
    assertThat(plan.step().get().member()).isEqualTo("demo-0");
    assertThat(plan.holdBack()).containsExactlyInAnyOrder("demo-0", "demo-2");
  }

  @Test
  void withoutEtcdOrBeforeAnyRecordNothingIsDecided() {
    assertThat(MembershipPlanner.plan(model, founding, podsWithout(1), List.of(), Optional.empty()).step()).isEmpty();
    assertThat(MembershipPlanner.plan(model, MemberBootstrapRecords.NONE, List.of(), List.of(),
        Optional.of(etcd(member(0, 1, false, false, false)))).holdBack()).isEmpty();
  }

  // --- scale up: 3 members on record, the size says 5 ---

  private EtcdClusterModel grown(MemberBootstrapRecords records) {
    dev.quorum.api.v1alpha1.EtcdCluster cluster = ephemeralCluster();
    cluster.getSpec().setSize(5);
    return TestClusters.model(cluster, records);
  }

  private static ClusterView healthyThree() {
    return etcd(member(0, 1, true, false, true), member(1, 2, true, false, true), member(2, 3, true, false, true));
  }

  @Test
  void aLargerSizeAddsTheNextOrdinalAsALearnerAndHoldsBackEveryNewPod() {
    EtcdClusterModel five = grown(founding);

    MembershipPlanner.Plan plan = MembershipPlanner.plan(five, founding, podsWithout(), List.of(),
        Optional.of(healthyThree()));

    assertThat(plan.step()).contains(new MembershipPlanner.Step.AddLearner("demo-3",
        five.members().get(3).peerUrl(), ADD));
    assertThat(plan.holdBack()).containsExactlyInAnyOrder("demo-3", "demo-4");
  }

  /** A join waits while the CA changes (the change waits for every member on record); a replacement does not. */
  @Test
  void aScaleUpWaitsWhileTheCaChangesAndSaysSo() {
    EtcdClusterModel five = grown(founding);
    MembershipPlanner.Plan plan = MembershipPlanner.plan(five, founding, podsWithout(), List.of(),
        Optional.of(healthyThree()));

    MembershipPlanner.Plan held = MembershipPlanner.holdingJoins(plan, Optional.of("a new CA: the members restart"));
    assertThat(held.step()).get().isInstanceOfSatisfying(MembershipPlanner.Step.Wait.class, wait -> {
      assertThat(wait.waitsFor()).isEqualTo(MembershipPlanner.WAITING_FOR_CERTIFICATES);
      assertThat(wait.reason()).isEqualTo("adding demo-3 waits until the change of CA is done (a new CA: the members"
          + " restart)");
    });
    assertThat(held.holdBack()).containsExactlyInAnyOrder("demo-3", "demo-4");
    assertThat(MembershipPlanner.holdingJoins(plan, Optional.empty())).isEqualTo(plan);

    MembershipPlanner.Plan replacing = new MembershipPlanner.Plan(Optional.of(new MembershipPlanner.Step.AddLearner(
        "demo-1", model.members().get(1).peerUrl(), REPLACE)), java.util.Set.of("demo-1"));
    assertThat(MembershipPlanner.holdingJoins(replacing, Optional.of("a new CA"))).isEqualTo(replacing);
  }

  @Test
  void aScaleUpWaitsWhileAVoterIsUnhealthyAndSaysSo() {
    EtcdClusterModel five = grown(founding);
    ClusterView oneDown = etcd(member(0, 1, true, false, true), member(1, 2, true, false, false),
        member(2, 3, true, false, true));

    MembershipPlanner.Plan plan = MembershipPlanner.plan(five, founding, podsWithout(), List.of(),
        Optional.of(oneDown));

    assertThat(plan.step()).get().isInstanceOfSatisfying(MembershipPlanner.Step.Wait.class, wait -> {
      assertThat(wait.waitsFor()).isEqualTo(MembershipPlanner.WAITING_FOR_HEALTHY_MEMBERS);
      assertThat(wait.reason()).contains("demo-3").contains("not healthy: demo-1");
    });
    assertThat(plan.holdBack()).containsExactlyInAnyOrder("demo-3", "demo-4");
  }

  @Test
  void theNewLearnerIsRecordedThenStartedThenPromotedAndOnlyThenTheNextOneIsAdded() {
    EtcdClusterModel five = grown(founding);
    ClusterView added = etcd(member(0, 1, true, false, true), member(1, 2, true, false, true),
        member(2, 3, true, false, true), member(3, 7, false, true, false));

    MembershipPlanner.Plan record = MembershipPlanner.plan(five, founding, podsWithout(), List.of(),
        Optional.of(added));
    assertThat(record.step()).get().isInstanceOf(MembershipPlanner.Step.Record.class);
    MembershipPlanner.Step.Record step = (MembershipPlanner.Step.Record) record.step().get();
    assertThat(step.bootstrap().state()).isEqualTo(MemberBootstrap.State.EXISTING);
    assertThat(step.bootstrap().initialCluster()).contains("demo-0=").contains("demo-3=").doesNotContain("demo-4");

    MemberBootstrapRecords recorded = founding.with("demo-3", step.bootstrap());
    EtcdClusterModel fiveRecorded = grown(recorded);
    MembershipPlanner.Plan start = MembershipPlanner.plan(fiveRecorded, recorded, podsWithout(), List.of(),
        Optional.of(added));
    assertThat(start.holdBack()).as("demo-3 may start; demo-4 waits").containsExactly("demo-4");
    assertThat(start.step()).get().isInstanceOfSatisfying(MembershipPlanner.Step.Wait.class,
        wait -> assertThat(wait.waitsFor()).isEqualTo(MembershipPlanner.WAITING_FOR_LEARNER));

    List<Pod> withNew = new ArrayList<>(podsWithout());
    withNew.add(TestClusters.pod(fiveRecorded, 3, true));
    ClusterView started = etcd(member(0, 1, true, false, true), member(1, 2, true, false, true),
        member(2, 3, true, false, true), member(3, 7, true, true, true));
    assertThat(MembershipPlanner.plan(fiveRecorded, recorded, withNew, List.of(), Optional.of(started)).step())
        .contains(new MembershipPlanner.Step.Promote("demo-3", 7, ADD));

    ClusterView promoted = etcd(member(0, 1, true, false, true), member(1, 2, true, false, true),
        member(2, 3, true, false, true), member(3, 7, true, false, true));
    assertThat(MembershipPlanner.plan(fiveRecorded, recorded, withNew, List.of(), Optional.of(promoted)).step())
        .contains(new MembershipPlanner.Step.AddLearner("demo-4", fiveRecorded.members().get(4).peerUrl(), ADD));
  }

  @Test
  void aNewMemberWaitsForEtcdToAnswerAndItsPodIsNeverCreatedWithoutARecord() {
    MembershipPlanner.Plan plan = MembershipPlanner.plan(grown(founding), founding, podsWithout(), List.of(),
        Optional.empty());

    assertThat(plan.holdBack()).containsExactlyInAnyOrder("demo-3", "demo-4");
    assertThat(plan.step()).get().isInstanceOfSatisfying(MembershipPlanner.Step.Wait.class,
        wait -> assertThat(wait.waitsFor()).isEqualTo(MembershipPlanner.WAITING_FOR_ETCD));
  }

  // --- scale down: 5 members on record, the size says 3 ---

  private MemberBootstrapRecords fiveOnRecord() {
    dev.quorum.api.v1alpha1.EtcdCluster cluster = ephemeralCluster();
    cluster.getSpec().setSize(5);
    return TestClusters.foundingRecords(TestClusters.model(cluster));
  }

  private static ClusterView healthyFive(long leaderId) {
    List<MemberView> members = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      members.add(member(i, i + 1, true, false, true));
    }
    return new ClusterView(0xcafe, leaderId, members);
  }

  @Test
  void aSmallerSizeRemovesTheHighestOrdinalFirstThroughEtcd() {
    MemberBootstrapRecords five = fiveOnRecord();
    EtcdClusterModel three = TestClusters.model(ephemeral, five);

    MembershipPlanner.Plan plan = MembershipPlanner.plan(three, five, podsWithout(), List.of(),
        Optional.of(healthyFive(1)));

    assertThat(plan.step()).contains(new MembershipPlanner.Step.Remove("demo-4", 5, REMOVE));
    assertThat(MembershipPlanner.departing(three, five, healthyFive(1))).extracting(m -> m.name())
        .containsExactly("demo-4", "demo-3");
  }

  @Test
  void aLeaderThatIsToLeaveHandsLeadershipToAMemberThatStaysFirst() {
    MemberBootstrapRecords five = fiveOnRecord();
    EtcdClusterModel three = TestClusters.model(ephemeral, five);

    MembershipPlanner.Plan plan = MembershipPlanner.plan(three, five, podsWithout(), List.of(),
        Optional.of(healthyFive(5)));

    assertThat(plan.step()).contains(new MembershipPlanner.Step.MoveLeader("demo-4", "demo-0", 1, REMOVE));
  }

  @Test
  void onceRemovedFromEtcdTheMembersObjectsAreRetiredThenTheNextLeaves() {
    MemberBootstrapRecords five = fiveOnRecord();
    EtcdClusterModel three = TestClusters.model(ephemeral, five);
    ClusterView fourLeft = etcd(member(0, 1, true, false, true), member(1, 2, true, false, true),
        member(2, 3, true, false, true), member(3, 4, true, false, true));

    assertThat(MembershipPlanner.plan(three, five, podsWithout(), List.of(), Optional.of(fourLeft)).step())
        .contains(new MembershipPlanner.Step.Retire("demo-4", REMOVE));

    MemberBootstrapRecords four = five.without("demo-4");
    assertThat(MembershipPlanner.plan(TestClusters.model(ephemeral, four), four, podsWithout(), List.of(),
        Optional.of(fourLeft)).step()).contains(new MembershipPlanner.Step.Remove("demo-3", 4, REMOVE));
  }

  @Test
  void aRemovalThatWouldLeaveTooFewHealthyMembersWaits() {
    MemberBootstrapRecords five = fiveOnRecord();
    EtcdClusterModel three = TestClusters.model(ephemeral, five);
    ClusterView twoDown = new ClusterView(0xcafe, 1, List.of(member(0, 1, true, false, true),
        member(1, 2, true, false, false), member(2, 3, true, false, false), member(3, 4, true, false, true),
        member(4, 5, true, false, true)));

    // removing demo-4 leaves 4 voters, quorum 3, but only demo-0 and demo-3 are healthy besides it
    assertThat(MembershipPlanner.plan(three, five, podsWithout(), List.of(), Optional.of(twoDown)).step()).get()
        .isInstanceOfSatisfying(MembershipPlanner.Step.Wait.class, wait ->
            assertThat(wait.reason()).contains("demo-4 is to leave").contains("below the quorum of 3"));
  }

  @Test
  void aLearnerAddedJustBeforeTheSizeShrankIsRemovedAgain() {
    // the size went 3 -> 5 -> 3 while demo-3 was added but not yet recorded
    ClusterView added = etcd(member(0, 1, true, false, true), member(1, 2, true, false, true),
        member(2, 3, true, false, true), member(3, 7, false, true, false));

    assertThat(MembershipPlanner.plan(model, founding, podsWithout(), List.of(), Optional.of(added)).step())
        .contains(new MembershipPlanner.Step.Remove("demo-3", 7, REMOVE));
  }

  @Test
  void aReplacementGoesBeforeAScaleDown() {
    MemberBootstrapRecords five = fiveOnRecord();
    EtcdClusterModel three = TestClusters.model(ephemeral, five);

    MembershipPlanner.Plan plan = MembershipPlanner.plan(three, five, podsWithout(1), List.of(),
        Optional.of(healthyFive(1)));

    assertThat(plan.step()).contains(new MembershipPlanner.Step.Remove("demo-1", 2, REPLACE));
  }

  // --- a member broken past the deadline ---

  @Test
  void aDeadMemberWhoseNodeWasReplacedLeavesBeforeTheNewNodeJoins() {
    // StaticPod mode: node-2 died and was unlabelled, node-3 labelled in its place; node-3's join waits for every
    // voter to be healthy, which only the dead member's removal can bring about
    dev.quorum.api.v1alpha1.EtcdCluster cluster = TestClusters.staticPodCluster("main");
    EtcdClusterModel founding = TestClusters.staticPodModel(cluster, MemberBootstrapRecords.NONE,
        TestClusters.nodes(4, 0, 1, 2));
    MemberBootstrapRecords records = TestClusters.foundingRecords(founding);
    EtcdClusterModel replaced = TestClusters.staticPodModel(cluster, records, TestClusters.nodes(4, 0, 1, 3));
    ClusterView etcd = etcd(nodeMember(0, 1, true), nodeMember(1, 2, true), nodeMember(2, 3, false));
    List<Pod> pods = List.of(TestClusters.pod(founding, 0, true), TestClusters.pod(founding, 1, true));

    MembershipPlanner.Plan plan = MembershipPlanner.plan(replaced, records, pods, List.of(), Optional.of(etcd));

    assertThat(plan.step()).contains(new MembershipPlanner.Step.Remove("main-node-2", 3, REMOVE));
    assertThat(plan.holdBack()).contains("main-node-3");
  }

  @Test
  void aStaticMemberThatEtcdNoLongerListsAndThatDoesNotRunIsAddedBackAsALearnerTheOthersHeldBack() {
    // the survivor of a recovery runs alone; the other nodes' manifests were taken away
    dev.quorum.api.v1alpha1.EtcdCluster cluster = TestClusters.staticPodCluster("main");
    List<dev.quorum.model.ClusterNode> nodes = TestClusters.nodes(3, 0, 1, 2);
    MemberBootstrapRecords records = TestClusters.foundingRecords(
        TestClusters.staticPodModel(cluster, MemberBootstrapRecords.NONE, nodes));
    EtcdClusterModel staticModel = TestClusters.staticPodModel(cluster, records, nodes);
    ClusterView alone = etcd(nodeMember(0, 1, true));

    MembershipPlanner.Plan plan = MembershipPlanner.plan(staticModel, records,
        List.of(TestClusters.mirrorPod(staticModel, 0)), List.of(), Optional.of(alone));

    assertThat(plan.step()).contains(new MembershipPlanner.Step.AddLearner("main-node-1",
        "http://10.0.0.11:2380", REPLACE));
    assertThat(plan.holdBack()).containsExactlyInAnyOrder("main-node-1", "main-node-2");
  }

  @Test
  void aStaticMemberJoiningGetsAFreshDataDirectoryNamedAfterItsEntrySoNoEarlierDataOnItsNodeIsStartedOn() {
    dev.quorum.api.v1alpha1.EtcdCluster cluster = TestClusters.staticPodCluster("main");
    List<dev.quorum.model.ClusterNode> nodes = TestClusters.nodes(3, 0, 1, 2);
    MemberBootstrapRecords records = TestClusters.foundingRecords(
        TestClusters.staticPodModel(cluster, MemberBootstrapRecords.NONE, nodes));
    EtcdClusterModel staticModel = TestClusters.staticPodModel(cluster, records, nodes);
    MemberView added = new MemberView(0x2a, "", List.of("http://10.0.0.11:2380"), List.of(), true, false, false,
        null, "connection refused");

    MembershipPlanner.Plan plan = MembershipPlanner.plan(staticModel, records,
        List.of(TestClusters.mirrorPod(staticModel, 0)), List.of(), Optional.of(etcd(nodeMember(0, 1, true), added)));

    MembershipPlanner.Step.Record record = (MembershipPlanner.Step.Record) plan.step().orElseThrow();
    assertThat(record.member()).isEqualTo("main-node-1");
    assertThat(record.bootstrap().dataClaim()).contains("data-main-node-1-2a");
    assertThat(record.bootstrap().state()).isEqualTo(dev.quorum.model.MemberBootstrap.State.EXISTING);
    EtcdClusterModel joined = TestClusters.staticPodModel(cluster, records.with("main-node-1", record.bootstrap()),
        nodes);
    assertThat(joined.staticPod().dataHostPath(joined.members().get(1))).endsWith("/main/data-main-node-1-2a");
  }

  /** A member beyond the size, as the model knows it. */

  /** A started voter of StaticPod mode on node-{@code index}, at the node's address. */
  private static MemberView nodeMember(int index, long id, boolean healthy) {
    String host = "10.0.0." + (10 + index);
    return new MemberView(id, "main-node-" + index, List.of("http://" + host + ":2380"),
        List.of("http://" + host + ":2379"), false, healthy, healthy, healthy ? "3.6.16" : null,
        healthy ? null : "connection refused");
  }

  private static Pod notReadySince(Pod pod, String since) {
    return new io.fabric8.kubernetes.api.model.PodBuilder(pod).editStatus().withConditions(
        new io.fabric8.kubernetes.api.model.PodConditionBuilder().withType("Ready").withStatus("False")
            .withLastTransitionTime(since).build()).endStatus().build();
  }

  @Test
  void aMemberBrokenPastTheDeadlineIsDiscardedWhileTheOthersKeepAQuorum() {
    java.time.Instant now = java.time.Instant.parse("2026-01-01T01:00:00Z");
    MembershipPlanner.BrokenAfter tenMinutes = new MembershipPlanner.BrokenAfter(java.time.Duration.ofMinutes(10), now);
    List<Pod> pods = new ArrayList<>(podsWithout(1));
    pods.add(notReadySince(TestClusters.pod(model, 1, false), "2026-01-01T00:45:00Z"));
    ClusterView oneSilent = etcd(member(0, 1, true, false, true), member(1, 2, true, false, false),
        member(2, 3, true, false, true));

    MembershipPlanner.Plan plan = MembershipPlanner.plan(model, founding, pods, List.of(), Optional.of(oneSilent),
        tenMinutes);
    assertThat(plan.step()).get().isInstanceOfSatisfying(MembershipPlanner.Step.Discard.class,
        discard -> assertThat(discard.why()).contains("demo-1 has not been ready for over 600s"));

    List<Pod> recently = new ArrayList<>(podsWithout(1));
    recently.add(notReadySince(TestClusters.pod(model, 1, false), "2026-01-01T00:55:00Z"));
    assertThat(MembershipPlanner.plan(model, founding, recently, List.of(), Optional.of(oneSilent), tenMinutes)
        .step()).as("not past the deadline yet").isEmpty();

    ClusterView twoSilent = etcd(member(0, 1, true, false, true), member(1, 2, true, false, false),
        member(2, 3, true, false, false));
    assertThat(MembershipPlanner.plan(model, founding, pods, List.of(), Optional.of(twoSilent), tenMinutes).step())
        .get().isInstanceOf(MembershipPlanner.Step.Wait.class);
  }

  @Test
  void aDiscardedMembersPodStuckTerminatingOnANodeThatDoesNotAnswerIsDiscardedAgainSoItGoesForGood() {
    java.time.Instant now = java.time.Instant.parse("2026-01-01T01:00:00Z");
    MembershipPlanner.BrokenAfter tenMinutes = new MembershipPlanner.BrokenAfter(java.time.Duration.ofMinutes(10), now);
    ClusterView oneSilent = etcd(member(0, 1, true, false, true), member(1, 2, true, false, false),
        member(2, 3, true, false, true));
    for (int ordinal = 0; ordinal < 3; ordinal++) {
      int silent = ordinal;
      ClusterView view = etcd(member(0, 1, true, false, silent != 0), member(1, 2, true, false, silent != 1),
          member(2, 3, true, false, silent != 2));
      List<Pod> stuck = new ArrayList<>(podsWithout(silent));
      stuck.add(terminatingSince(TestClusters.pod(model, silent, false), "2026-01-01T00:49:00Z"));
      assertThat(MembershipPlanner.plan(model, founding, stuck, List.of(), Optional.of(view), tenMinutes).step())
          .as("member %d", silent).get().isInstanceOfSatisfying(MembershipPlanner.Step.Discard.class,
              discard -> assertThat(discard.member()).isEqualTo("demo-" + silent));

      List<Pod> terminating = new ArrayList<>(podsWithout(silent));
      terminating.add(terminatingSince(TestClusters.pod(model, silent, false), "2026-01-01T00:55:00Z"));
      assertThat(MembershipPlanner.plan(model, founding, terminating, List.of(), Optional.of(view), tenMinutes).step())
          .as("member %d: its kubelet may still confirm", silent).isEmpty();
    }

    List<Pod> healthyButStuck = new ArrayList<>(podsWithout(0));
    healthyButStuck.add(terminatingSince(TestClusters.pod(model, 0, true), "2026-01-01T00:49:00Z"));
    assertThat(MembershipPlanner.plan(model, founding, healthyButStuck, List.of(), Optional.of(oneSilent), tenMinutes)
        .step()).as("a member etcd still hears from is never given up").isEmpty();

    ClusterView twoSilent = etcd(member(0, 1, true, false, true), member(1, 2, true, false, false),
        member(2, 3, true, false, false));
    List<Pod> stuck = new ArrayList<>(podsWithout(1));
    stuck.add(terminatingSince(TestClusters.pod(model, 1, false), "2026-01-01T00:49:00Z"));
    assertThat(MembershipPlanner.plan(model, founding, stuck, List.of(), Optional.of(twoSilent), tenMinutes).step())
        .as("never below a quorum").get().isInstanceOf(MembershipPlanner.Step.Wait.class);
  }

  @Test
  void aMemberWhoseDataDivergedIsDiscardedWhereverItIsOnlyUnderItsOldIdAndNeverBelowAQuorum() {
    for (int ordinal = 0; ordinal < 3; ordinal++) {
      MembershipPlanner.Diverged diverged = new MembershipPlanner.Diverged("demo-" + ordinal, ordinal + 1,
          "demo-" + ordinal + "'s data differs from the majority's");
      ClusterView healthy = etcd(member(0, 1, true, false, true), member(1, 2, true, false, true),
          member(2, 3, true, false, true));
      assertThat(MembershipPlanner.plan(model, founding, podsWithout(), List.of(), Optional.of(healthy),
          MembershipPlanner.BrokenAfter.NEVER, Optional.of(diverged)).step()).as("member %d", ordinal)
          .contains(new MembershipPlanner.Step.Discard("demo-" + ordinal, diverged.why(), REPLACE));

      ClusterView rejoined = etcd(member(0, ordinal == 0 ? 9 : 1, true, false, true),
          member(1, ordinal == 1 ? 9 : 2, true, false, true), member(2, ordinal == 2 ? 9 : 3, true, false, true));
      assertThat(MembershipPlanner.plan(model, founding, podsWithout(), List.of(), Optional.of(rejoined),
          MembershipPlanner.BrokenAfter.NEVER, Optional.of(diverged)).step())
          .as("member %d joined again under a new ID: not the one meant", ordinal).isEmpty();

      List<Pod> deleted = new ArrayList<>(podsWithout(ordinal));
      deleted.add(terminatingSince(TestClusters.pod(model, ordinal, true), "2026-01-01T00:49:00Z"));
      assertThat(MembershipPlanner.plan(model, founding, deleted, List.of(), Optional.of(healthy),
          MembershipPlanner.BrokenAfter.NEVER, Optional.of(diverged)).step())
          .as("member %d: its pod is going already", ordinal).isEmpty();
    }
    MembershipPlanner.Diverged first = new MembershipPlanner.Diverged("demo-0", 1, "differs");
    ClusterView oneGone = etcd(member(0, 1, true, false, true), member(1, 2, true, false, false),
        member(2, 3, true, false, true));
    assertThat(MembershipPlanner.plan(model, founding, podsWithout(1), List.of(), Optional.of(oneGone),
        MembershipPlanner.BrokenAfter.NEVER, Optional.of(first)).step())
        .as("one member out of the cluster at a time: demo-1, whose pod is gone, is replaced first")
        .contains(new MembershipPlanner.Step.Remove("demo-1", 2, REPLACE));
    ClusterView anotherDown = etcd(member(0, 1, true, false, true), member(1, 2, true, false, true),
        member(2, 3, true, false, false));
    assertThat(MembershipPlanner.plan(model, founding, podsWithout(), List.of(), Optional.of(anotherDown),
        MembershipPlanner.BrokenAfter.NEVER, Optional.of(new MembershipPlanner.Diverged("demo-0", 1, "differs")))
        .step()).as("never below a quorum").get().isInstanceOf(MembershipPlanner.Step.Wait.class);
  }

  private static Pod terminatingSince(Pod pod, String deletionDeadline) {
    return new io.fabric8.kubernetes.api.model.PodBuilder(pod).editMetadata()
        .withDeletionTimestamp(deletionDeadline).withDeletionGracePeriodSeconds(30L).endMetadata().build();
  }
}
