package dev.quorum.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.EtcdRecoveryStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.QuorumLossPolicy;
import dev.quorum.api.v1alpha1.RecoverySource;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.recovery.RecoveryPlanner.Decision;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecoveryPlannerTest {

  private static final Instant NOW = Instant.parse("2026-12-07T06:00:00Z");

  private final EtcdCluster cluster = TestClusters.cluster("demo", 3);
  private final MemberBootstrapRecords records = TestClusters.foundingRecords(TestClusters.model(cluster));
  private final EtcdClusterModel model = TestClusters.model(cluster, records);

  /** demo-1 and demo-2 answer without a leader (demo-2 further along); demo-0's pod and claim are gone. */
  private final List<Pod> pods = List.of(TestClusters.pod(model, 1, false), TestClusters.pod(model, 2, false));
  private final List<PersistentVolumeClaim> claims = List.of(claim(1), claim(2));

  @Test
  void aRecoveryFromTheSurvivorBeginsWithTheMemberHoldingTheMostDataAndSetsAsideTheOthersClaims() {
    ClusterView etcd = view(member(0, false, false, 0), member(1, true, false, 300), member(2, true, false, 450));
    // two answer but have no leader: a loss waited out by policy, but a user may know better (a node gone for good)
    List<Decision> decisions = decide(etcd, List.of(recovery("recover", RecoverySource.Survivor)));

    assertThat(decisions).singleElement().isInstanceOfSatisfying(Decision.Begin.class, begin -> {
      assertThat(begin.survivor().name()).isEqualTo("demo-2");
      assertThat(begin.survivor().raftIndex()).isEqualTo(450);
      assertThat(begin.setAsideClaims()).containsExactly("data-demo-1-uid");
      assertThat(begin.loss()).contains("demo-2", "raft index 450", "the data of demo-0 was gone already");
    });
  }

  @Test
  void aRecoveryAskedWhileQuorumHoldsIsRefusedAndNothingIsTouched() {
    ClusterView etcd = view(member(0, true, true, 500), member(1, true, true, 500), member(2, false, false, 0));

    List<Decision> decisions = decide(etcd, List.of(recovery("recover", RecoverySource.Survivor)));

    assertThat(decisions).singleElement().isInstanceOfSatisfying(Decision.Refuse.class,
        refuse -> assertThat(refuse.reason()).isEqualTo(RecoveryPlanner.QUORUM_HOLDS));
  }

  @Test
  void aMemberStillFollowingALeaderHoldsTheRecoveryBackWhateverTheOperatorCannotReach() {
    // demo-1 follows a leader: it may sit in a majority the operator cannot reach
    ClusterView etcd = view(member(0, false, false, 0), member(1, true, true, 300), member(2, false, false, 0));

    List<Decision> decisions = decide(etcd, List.of(recovery("recover", RecoverySource.Survivor)));

    assertThat(decisions).singleElement().isInstanceOfSatisfying(Decision.Pending.class, pending -> {
      assertThat(pending.reason()).isEqualTo(RecoveryPlanner.LEADER_KNOWN);
      assertThat(pending.message()).contains("follows a leader", "begins once no member does");
    });
  }

  @Test
  void quorumComingBackBeforeTheSurvivorIsForcedEndsTheRecoveryAndAfterwardsDoesNot() {
    EtcdRecovery recovery = recovery("recover", RecoverySource.Survivor);
    recovery.setStatus(runningFrom("demo-2", false));
    ClusterView back = view(member(0, false, false, 0), member(1, true, true, 460), member(2, true, true, 460));

    assertThat(decide(back, List.of(recovery))).singleElement().isInstanceOfSatisfying(Decision.Fail.class,
        fail -> assertThat(fail.message()).contains("nothing was forced"));

    // the survivor runs alone (forced already): its own leadership is the recovery's, not a quorum come back
    ClusterView alone = view(member(2, true, true, 470));
    assertThat(decide(alone, List.of(recovery))).singleElement().isInstanceOf(Decision.Proceed.class);
  }

  @Test
  void anInPlaceRestoreEndsARecoveryUnderWayAndRefusesOneAsked() {
    EtcdRecovery running = recovery("running", RecoverySource.Survivor);
    running.setStatus(runningFrom("demo-2", false));
    MemberBootstrapRecords restoring = model.restoredInPlace(new dev.quorum.model.RestoreSource("bucket", "k.db",
        "us-east-1", Optional.empty(), false, Optional.empty(), Optional.empty()), "abcd1234");

    List<Decision> decisions = decideWith(model, restoring, pods, claims, Optional.empty(),
        Optional.empty(), List.of(running, recovery("asked", RecoverySource.Survivor)));

    assertThat(decisions).hasSize(2).allSatisfy(d -> assertThat(d).isInstanceOfAny(Decision.Fail.class,
        Decision.Refuse.class));
    assertThat(decisions).filteredOn(d -> d.recovery() == running).singleElement()
        .isInstanceOf(Decision.Fail.class);
  }

  @Test
  void eachWayThatCannotBeCarriedOutIsRefusedWithItsReason() {
    ClusterView noData = view(member(0, false, false, 0), member(1, false, false, 0), member(2, false, false, 0));
    assertThat(refusal(noData, RecoverySource.Survivor, model)).isEqualTo(RecoveryPlanner.NO_SURVIVOR);

    ClusterView lost = view(member(0, false, false, 0), member(1, true, false, 300), member(2, false, false, 0));
    assertThat(refusal(lost, RecoverySource.Backup, model)).as("no backup").isEqualTo(BackupRecovery.NO_BACKUP);

    EtcdCluster ephemeral = TestClusters.cluster("demo", 3);
    ephemeral.getSpec().getStorage().setEphemeral(true);
    assertThat(refusal(lost, RecoverySource.Survivor, TestClusters.model(ephemeral, records)))
        .isEqualTo(RecoveryPlanner.EPHEMERAL_MEMBERS);

    List<Decision> neverFormed = decideWith(model, records, pods, claims, Optional.of(lost),
        Optional.empty(), List.of(recovery("recover", RecoverySource.Survivor)));
    assertThat(((Decision.Refuse) neverFormed.get(0)).reason()).isEqualTo(RecoveryPlanner.NEVER_FORMED);
  }

  @Test
  void aSecondRecoveryAskedWhileOneRunsIsRefused() {
    EtcdRecovery running = recovery("first", RecoverySource.Survivor);
    running.setStatus(runningFrom("demo-2", false));
    EtcdRecovery second = recovery("second", RecoverySource.Survivor);
    ClusterView etcd = view(member(0, false, false, 0), member(1, false, false, 0), member(2, true, false, 450));

    List<Decision> decisions = decide(etcd, List.of(second, running));

    assertThat(decisions).hasSize(2);
    assertThat(decisions.get(0)).isInstanceOf(Decision.Proceed.class);
    assertThat(decisions.get(1)).isInstanceOfSatisfying(Decision.Refuse.class, refuse -> {
      assertThat(refuse.recovery().getMetadata().getName()).isEqualTo("second");
      assertThat(refuse.reason()).isEqualTo(RecoveryPlanner.ANOTHER_RECOVERY);
    });
  }

  @Test
  void aRecoveryHandedOverSucceedsOnceEveryMemberServes() {
    EtcdRecovery recovery = recovery("recover", RecoverySource.Survivor);
    recovery.setStatus(runningFrom("demo-2", true));

    List<Decision> rejoining = decide(view(member(2, true, true, 460), learner(0)), List.of(recovery));
    assertThat(rejoining).singleElement().isInstanceOf(Decision.Follow.class);

    List<Decision> done = decide(view(member(0, true, true, 470), member(1, true, true, 470),
        member(2, true, true, 470)), List.of(recovery));
    assertThat(done).singleElement().isInstanceOfSatisfying(Decision.Finish.class,
        finish -> assertThat(finish.members()).as("re-added empty").containsExactly("demo-0", "demo-1"));
  }

  @Test
  void theSurvivorsDataLostMidwayFailsTheRecovery() {
    EtcdRecovery recovery = recovery("recover", RecoverySource.Survivor);
    recovery.setStatus(runningFrom("demo-2", false));

    List<Decision> decisions = decideWith(model, records, List.of(), List.of(claim(1)), Optional.empty(),
        Optional.empty(), List.of(recovery));

    assertThat(decisions).singleElement().isInstanceOfSatisfying(Decision.Fail.class,
        fail -> assertThat(fail.message()).contains("demo-2", "recover from a backup"));
  }

  @Test
  void anAutomaticPolicyAsksForOneRecoveryPerLossOnceItsDeadlinePassed() {
    EtcdCluster automatic = TestClusters.cluster("demo", 3);
    QuorumLossPolicy policy = new QuorumLossPolicy();
    policy.setRecovery(QuorumLossPolicy.Recovery.Automatic);
    policy.setAfter("2m");
    automatic.getSpec().setQuorumLoss(policy);
    EtcdClusterModel model = TestClusters.model(automatic, records);
    ClusterView etcd = view(member(0, false, false, 0), member(1, true, false, 300), member(2, true, false, 450));
    Optional<QuorumLoss.Assessment> loss = QuorumLoss.assess(model, records, pods, claims, Optional.of(etcd), true);
    Instant lostSince = Instant.parse("2026-12-07T01:00:00Z");

    assertThat(RecoveryPlanner.automatic(model, loss, Optional.of(lostSince), lostSince.plusSeconds(119), List.of()))
        .as("before the deadline: members may still come back").isEmpty();
    EtcdRecovery asked = RecoveryPlanner.automatic(model, loss, Optional.of(lostSince), lostSince.plusSeconds(120),
        List.of()).orElseThrow();
    assertThat(asked.getMetadata().getName()).isEqualTo("demo-auto-" + lostSince.getEpochSecond());
    assertThat(asked.getSpec().getFrom()).isEqualTo(RecoverySource.Survivor);
    assertThat(asked.getSpec().getConfirmClusterName()).isEqualTo("demo");
    assertThat(asked.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(owner -> assertThat(owner.getName()).isEqualTo("demo"));

    EtcdRecovery refused = recovery(asked.getMetadata().getName(), RecoverySource.Survivor);
    refused.setStatus(new EtcdRecoveryStatus());
    refused.getStatus().setPhase(OperationPhase.Failed);
    assertThat(RecoveryPlanner.automatic(model, loss, Optional.of(lostSince), lostSince.plusSeconds(600),
        List.of(refused))).as("once per loss").isEmpty();
    assertThat(RecoveryPlanner.automatic(model, loss, Optional.of(lostSince), lostSince.plusSeconds(600),
        List.of(recovery("by-hand", RecoverySource.Survivor)))).as("not beside one running").isEmpty();
    assertThat(RecoveryPlanner.automatic(this.model, loss, Optional.of(lostSince), lostSince.plusSeconds(600),
        List.of())).as("manual, the default").isEmpty();
  }

  private String refusal(ClusterView etcd, RecoverySource from, EtcdClusterModel model) {
    List<Decision> decisions = decideWith(model, records, pods, claims, Optional.of(etcd),
        QuorumLoss.assess(model, records, pods, claims, Optional.of(etcd), true),
        List.of(recovery("recover", from)));
    return ((Decision.Refuse) decisions.get(0)).reason();
  }

  private static List<Decision> decideWith(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      List<PersistentVolumeClaim> claims, Optional<ClusterView> etcd, Optional<QuorumLoss.Assessment> loss,
      List<EtcdRecovery> recoveries) {
    return RecoveryPlanner.decide(new RecoveryPlanner.Observation(model, records, pods, Set.of(), claims, etcd, loss,
        recoveries, List.of(), List.of(), Optional.empty(), NOW));
  }

  private List<Decision> decide(ClusterView etcd, List<EtcdRecovery> recoveries) {
    return decideWith(model, records, pods, claims, Optional.of(etcd),
        QuorumLoss.assess(model, records, pods, claims, Optional.of(etcd), true), recoveries);
  }

  private static EtcdRecovery recovery(String name, RecoverySource from) {
    EtcdRecovery recovery = new EtcdRecovery();
    recovery.getMetadata().setName(name);
    recovery.getMetadata().setNamespace("default");
    recovery.getSpec().setClusterName("demo");
    recovery.getSpec().setConfirmClusterName("demo");
    recovery.getSpec().setFrom(from);
    return recovery;
  }

  private static EtcdRecoveryStatus runningFrom(String survivor, boolean handedOver) {
    EtcdRecoveryStatus status = new EtcdRecoveryStatus();
    status.setPhase(OperationPhase.Running);
    status.setSurvivor(survivor);
    status.setSetAsideClaims(List.of("data-demo-1-uid"));
    status.setHandedOver(handedOver);
    return status;
  }

  private PersistentVolumeClaim claim(int ordinal) {
    return new PersistentVolumeClaimBuilder(TestClusters.claim(model, ordinal))
        .editMetadata().withUid("data-demo-" + ordinal + "-uid").endMetadata().build();
  }

  private MemberView member(int ordinal, boolean answers, boolean leader, long raftIndex) {
    Member member = model.members().get(ordinal);
    return new MemberView(ordinal + 1, member.name(), List.of(member.peerUrl()), List.of(member.clientUrl()), false,
        answers, leader, answers ? "3.6.16" : null, answers ? null : "connection refused", raftIndex / 2, raftIndex);
  }

  private MemberView learner(int ordinal) {
    Member member = model.members().get(ordinal);
    return new MemberView(ordinal + 11, member.name(), List.of(member.peerUrl()), List.of(member.clientUrl()), true,
        true, true, "3.6.16", null, 0, 0);
  }

  private static ClusterView view(MemberView... members) {
    List<MemberView> list = new ArrayList<>(List.of(members));
    long leader = list.stream().filter(MemberView::healthy).mapToLong(MemberView::id).findFirst().orElse(0);
    return new ClusterView(0xcafe, leader, list);
  }
}
