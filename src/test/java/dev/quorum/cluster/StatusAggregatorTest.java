package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.api.v1alpha1.MemberStatus;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.operation.StatusUpdates;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StatusAggregatorTest {

  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05.678Z");
  private static final long CLUSTER_ID = 0xcafe0000beefL;

  private final EtcdCluster cluster = TestClusters.cluster("demo", 3);

  @Test
  void allMembersReady() {
    EtcdClusterStatus status = aggregate(pods(true, true, true), Optional.of(etcd(true, true, true)));

    assertThat(status.getReadyMembers()).isEqualTo(3);
    assertThat(status.getQuorum()).isEqualTo(2);
    assertThat(status.getFaultTolerance()).isEqualTo(1);
    assertThat(status.getLeader()).isEqualTo("demo-0");
    assertThat(status.getClusterID()).isEqualTo("cafe0000beef");
    assertThat(status.getVersion()).isEqualTo("3.6.16");
    assertThat(status.getObservedGeneration()).isEqualTo(1L);
    assertThat(status.getClientEndpoint()).isEqualTo("demo-client.default.svc.cluster.local:2379");
    assertThat(status.getSelector()).isEqualTo(model().selector());
    assertCondition(status, ConditionTypes.AVAILABLE, "True", Reasons.QUORUM_AVAILABLE);
    assertCondition(status, ConditionTypes.PROGRESSING, "False", Reasons.STABLE);
    assertCondition(status, ConditionTypes.DEGRADED, "False", Reasons.ALL_MEMBERS_READY);
    assertThat(status.getMembers()).extracting(MemberStatus::getName).containsExactly("demo-0", "demo-1", "demo-2");
    assertThat(status.getMembers().get(0)).satisfies(m -> {
      assertThat(m.getId()).isEqualTo("a0");
      assertThat(m.getPeerURL()).isEqualTo("http://demo-0.demo.default.svc.cluster.local:2380");
      assertThat(m.getClientURL()).isEqualTo("http://demo-0.demo.default.svc.cluster.local:2379");
      assertThat(m.isReady()).isTrue();
      assertThat(m.isLeader()).isTrue();
    });
  }

  @Test
  void oneMemberDownLeavesTheClusterAvailableButDegraded() {
    cluster.setStatus(aggregate(pods(true, true, true), Optional.of(etcd(true, true, true))));

    EtcdClusterStatus status = aggregate(pods(true, true, false), Optional.of(etcd(true, true, false)));

    assertThat(status.getReadyMembers()).isEqualTo(2);
    assertThat(status.getFaultTolerance()).isZero();
    assertCondition(status, ConditionTypes.AVAILABLE, "True", Reasons.QUORUM_AVAILABLE);
    assertCondition(status, ConditionTypes.DEGRADED, "True", Reasons.MEMBERS_UNAVAILABLE);
    assertThat(condition(status, ConditionTypes.DEGRADED).getMessage()).contains("demo-2").contains("0 more failure");
    assertThat(status.getMembers().get(2).isReady()).isFalse();
  }

  @Test
  void quorumFollowsTheMembersOnRecordWhileTheSizeChanges() {
    MemberBootstrapRecords running = TestClusters.foundingRecords(model());
    List<Pod> pods = pods(true, true, true);
    cluster.getSpec().setSize(5); // two members still to add: the 3 members on record run

    EtcdClusterStatus status = StatusAggregator.aggregate(new Observation(model(running), running, pods,
        Optional.of(etcd(true, true, true)), List.of(), Optional.empty(), Optional.empty(), NOW));

    assertThat(status.getQuorum()).isEqualTo(2);
    assertThat(status.getFaultTolerance()).isEqualTo(1);
    assertCondition(status, ConditionTypes.AVAILABLE, "True", Reasons.QUORUM_AVAILABLE);
  }

  @Test
  void belowQuorumTheClusterIsUnavailable() {
    cluster.setStatus(aggregate(pods(true, true, true), Optional.of(etcd(true, true, true))));

    EtcdClusterStatus status = aggregate(pods(true, false, false), Optional.of(etcd(true, false, false)));

    assertThat(status.getReadyMembers()).isEqualTo(1);
    assertThat(status.getFaultTolerance()).isZero();
    assertCondition(status, ConditionTypes.AVAILABLE, "False", Reasons.QUORUM_LOST);
    assertCondition(status, ConditionTypes.DEGRADED, "True", Reasons.QUORUM_LOST);
    assertThat(condition(status, ConditionTypes.DEGRADED).getMessage()).contains("not ready: demo-1 (Unreachable), demo-2 (Unreachable)");
  }

  @Test
  void aQuorumLossIsRememberedUntilQuorumIsBack() {
    cluster.setStatus(aggregate(pods(true, true, true), Optional.of(etcd(true, true, true))));
    cluster.setStatus(aggregate(pods(false, false, false), Optional.empty()));

    EtcdClusterStatus status = aggregate(pods(false, false, false), Optional.empty());

    assertCondition(status, ConditionTypes.AVAILABLE, "False", Reasons.QUORUM_LOST);
    assertThat(status.getClusterID()).as("the cluster ID survives an unreachable etcd").isEqualTo("cafe0000beef");
  }

  @Test
  void theRevisionIsTheNewestAMemberAnsweredAndIsKeptWhileNoneAnswers() {
    ClusterView etcd = etcd(true, true, false);
    List<MemberView> members = new ArrayList<>(etcd.members());
    members.set(0, withRevision(members.get(0), 41));
    members.set(1, withRevision(members.get(1), 44));
    members.set(2, withRevision(members.get(2), 99)); // did not answer this time: not counted
    cluster.setStatus(aggregate(pods(true, true, false), Optional.of(new ClusterView(CLUSTER_ID, 0xa0, members))));
    assertThat(cluster.getStatus().getRevision()).isEqualTo(44L);

    EtcdClusterStatus status = aggregate(pods(false, false, false), Optional.empty());
    members.set(1, withRevision(members.get(1), 44 + EtcdClusterStatus.REVISION_STEP - 1));
    EtcdClusterStatus aFewWritesOn = aggregate(pods(true, true, false), Optional.of(new ClusterView(CLUSTER_ID, 0xa0,
        members)));
    members.set(1, withRevision(members.get(1), 44 + EtcdClusterStatus.REVISION_STEP));
    EtcdClusterStatus farOn = aggregate(pods(true, true, false), Optional.of(new ClusterView(CLUSTER_ID, 0xa0,
        members)));

    assertThat(status.getRevision()).as("kept: a restore in place still starts past it").isEqualTo(44L);
    assertThat(aFewWritesOn.getRevision()).as("not rewritten for every write").isEqualTo(44L);
    assertThat(farOn.getRevision()).isEqualTo(44 + EtcdClusterStatus.REVISION_STEP);
  }

  @Test
  void anAlarmIsListedByMemberNameAndMakesTheClusterDegradedUntilItIsGone() {
    cluster.setStatus(aggregate(pods(true, true, true), Optional.of(etcd(true, true, true))));
    ClusterView noSpace = etcd(true, true, true).withAlarms(List.of(
        new dev.quorum.etcd.EtcdAlarm(0xa1, dev.quorum.etcd.EtcdAlarm.Type.NOSPACE)));

    EtcdClusterStatus raised = aggregate(pods(true, true, true), Optional.of(noSpace));
    cluster.setStatus(raised);
    EtcdClusterStatus unread = aggregate(pods(true, true, true), Optional.of(etcd(true, true, true)));
    EtcdClusterStatus cleared = aggregate(pods(true, true, true), Optional.of(etcd(true, true, true).withAlarms(List.of())));

    assertThat(raised.getAlarms()).extracting(a -> a.getType() + " " + a.getMember()).containsExactly("NOSPACE demo-1");
    assertCondition(raised, ConditionTypes.AVAILABLE, "True", Reasons.QUORUM_AVAILABLE);
    assertCondition(raised, ConditionTypes.DEGRADED, "True", Reasons.NO_SPACE_ALARM);
    assertThat(condition(raised, ConditionTypes.DEGRADED).getMessage()).contains("NOSPACE on demo-1",
        "reads and deletes only");
    assertThat(unread.getAlarms()).as("alarms not read this time: kept").hasSize(1);
    assertThat(cleared.getAlarms()).isEmpty();
    assertCondition(cleared, ConditionTypes.DEGRADED, "False", Reasons.ALL_MEMBERS_READY);
  }

  @Test
  void underCorruptTheClusterIsUnavailableForThatReasonNotForALostQuorumThoughNoPodIsReady() {
    cluster.setStatus(aggregate(pods(true, true, true), Optional.of(etcd(true, true, true))));
    ClusterView corrupt = etcd(true, true, true).withAlarms(List.of(
        new dev.quorum.etcd.EtcdAlarm(0xa2, dev.quorum.etcd.EtcdAlarm.Type.CORRUPT),
        new dev.quorum.etcd.EtcdAlarm(0xa1, dev.quorum.etcd.EtcdAlarm.Type.NOSPACE)));

    // etcd's readiness check fails on every member while CORRUPT is raised
    EtcdClusterStatus raised = aggregate(pods(false, false, false), Optional.of(corrupt));

    assertCondition(raised, ConditionTypes.AVAILABLE, "False", Reasons.CORRUPT_ALARM);
    assertThat(condition(raised, ConditionTypes.AVAILABLE).getMessage()).contains("CORRUPT on demo-2",
        "takes no writes");
    assertCondition(raised, ConditionTypes.DEGRADED, "True", Reasons.CORRUPT_ALARM);
    assertThat(condition(raised, ConditionTypes.DEGRADED).getMessage()).contains("replaces the member whose data"
        + " differs", "raised too: NOSPACE on demo-1");

    cluster.setStatus(raised);
    EtcdClusterStatus next = aggregate(pods(false, false, false), Optional.of(corrupt));
    assertCondition(next, ConditionTypes.DEGRADED, "True", Reasons.CORRUPT_ALARM);
    assertThat(condition(next, ConditionTypes.PROGRESSING).getReason()).as("not a cluster being created")
        .isNotEqualTo(Reasons.CREATING);
  }

  @Test
  void aNewClusterIsProgressing() {
    EtcdClusterStatus status = StatusAggregator.aggregate(new Observation(model(), MemberBootstrapRecords.NONE,
        List.of(), Optional.empty(), List.of(), Optional.empty(), Optional.empty(), NOW));

    assertThat(status.getReadyMembers()).isZero();
    assertThat(status.getMembers()).isEmpty();
    assertThat(status.getQuorum()).isEqualTo(2);
    assertCondition(status, ConditionTypes.AVAILABLE, "False", Reasons.CREATING);
    assertCondition(status, ConditionTypes.PROGRESSING, "True", Reasons.CREATING);
    assertThat(condition(status, ConditionTypes.PROGRESSING).getMessage())
        .isEqualTo("creating member pods: 0 of 3 exist");
    assertCondition(status, ConditionTypes.DEGRADED, "False", Reasons.CREATING);
  }

  @Test
  void membersStartingWithoutEtcdAnswersAreListedFromPods() {
    EtcdClusterStatus status = aggregate(pods(false, false, false), Optional.empty());

    assertThat(status.getMembers()).extracting(MemberStatus::getName).containsExactly("demo-0", "demo-1", "demo-2");
    assertThat(status.getMembers()).noneMatch(MemberStatus::isReady);
    assertThat(status.getMembers().get(1).getPeerURL()).isEqualTo("http://demo-1.demo.default.svc.cluster.local:2380");
    assertThat(status.getLeader()).isNull();
    assertThat(status.getVersion()).isNull();
    assertCondition(status, ConditionTypes.PROGRESSING, "True", Reasons.CREATING);
    assertThat(condition(status, ConditionTypes.PROGRESSING).getMessage())
        .isEqualTo("waiting for the first quorum: 0 of 3 members ready");
  }

  @Test
  void aRollingUpdateIsProgressing() {
    cluster.setStatus(aggregate(pods(true, true, true), Optional.of(etcd(true, true, true))));
    // demo-2 runs the current spec already; demo-0 and demo-1 still run the previous one
    List<Pod> pods = List.of(TestClusters.outdatedPod(model(), 0, true), TestClusters.outdatedPod(model(), 1, true),
        TestClusters.pod(model(), 2, true));

    EtcdClusterStatus status = aggregate(pods, Optional.of(etcd(true, true, true)));

    assertCondition(status, ConditionTypes.PROGRESSING, "True", Reasons.ROLLING_UPDATE);
    assertThat(condition(status, ConditionTypes.PROGRESSING).getMessage())
        .startsWith("rolling out the current spec: 1 of 3 members updated (next: ")
        .contains("demo-0", "demo-1")
        .doesNotContain("demo-2");
    assertCondition(status, ConditionTypes.DEGRADED, "False", Reasons.ALL_MEMBERS_READY);
  }

  @Test
  void aRollThatWaitsSaysWhy() {
    cluster.setStatus(aggregate(pods(true, true, true), Optional.of(etcd(true, true, true))));
    List<Pod> pods = List.of(TestClusters.outdatedPod(model(), 0, true), TestClusters.pod(model(), 1, true),
        TestClusters.pod(model(), 2, false));
    String waiting = "the roll waits: every member must be ready first (not ready: demo-2)";

    EtcdClusterStatus status = StatusAggregator.aggregate(new Observation(model(), records(), pods,
        Optional.of(etcd(true, true, true)), List.of(), Optional.empty(), Optional.of(waiting), NOW));

    assertCondition(status, ConditionTypes.PROGRESSING, "True", Reasons.ROLLING_UPDATE);
    assertThat(condition(status, ConditionTypes.PROGRESSING).getMessage())
        .isEqualTo("rolling out the current spec: 2 of 3 members updated (next: demo-0); " + waiting);
  }

  @Test
  void aMissingPodAfterFormationIsBeingRecreated() {
    cluster.setStatus(aggregate(pods(true, true, true), Optional.of(etcd(true, true, true))));

    EtcdClusterStatus status = aggregate(pods(true, true), Optional.of(etcd(true, true, false)));

    assertCondition(status, ConditionTypes.PROGRESSING, "True", Reasons.ROLLING_UPDATE);
    assertThat(condition(status, ConditionTypes.PROGRESSING).getMessage()).isEqualTo("recreating the pods of demo-2");
    assertCondition(status, ConditionTypes.DEGRADED, "True", Reasons.MEMBERS_UNAVAILABLE);
  }

  @Test
  void aPodBeingDeletedCountsAsMissing() {
    cluster.setStatus(aggregate(pods(true, true, true), Optional.of(etcd(true, true, true))));
    List<Pod> pods = pods(true, true, true);
    TestClusters.terminating(pods.get(1));

    EtcdClusterStatus status = aggregate(pods, Optional.of(etcd(true, false, true)));

    assertThat(condition(status, ConditionTypes.PROGRESSING).getMessage()).isEqualTo("recreating the pods of demo-1");
  }

  @Test
  void aWaitingChangeAloneKeepsTheClusterProgressing() {
    EtcdClusterStatus status = StatusAggregator.aggregate(new Observation(model(), records(), pods(true, true, true),
        Optional.of(etcd(true, true, true)), List.of(), Optional.empty(),
        Optional.of("demo-1 waits for its old volume claim to be deleted"), NOW));

    assertCondition(status, ConditionTypes.PROGRESSING, "True", Reasons.ROLLING_UPDATE);
    assertThat(condition(status, ConditionTypes.PROGRESSING).getMessage())
        .isEqualTo("demo-1 waits for its old volume claim to be deleted");
  }

  @Test
  void aMemberThatAnswersEtcdButFailsItsReadinessProbeIsNotReady() {
    EtcdClusterStatus status = aggregate(pods(true, true, false), Optional.of(etcd(true, true, true)));

    assertThat(status.getReadyMembers()).isEqualTo(2);
  }

  @Test
  void aMemberCutOffFromTheMajorityIsNotReadyEvenIfItAnswers() {
    cluster.setStatus(aggregate(pods(true, true, true), Optional.of(etcd(true, true, true))));
    MemberView isolated = new MemberView(0xa0, "demo-0", List.of(), List.of(), false, true, false, "3.6.16", null);
    ClusterView lost = new ClusterView(CLUSTER_ID, 0, List.of(isolated, member(1, false, null), member(2, false, null)));

    EtcdClusterStatus status = aggregate(pods(true, true, true), Optional.of(lost));

    assertThat(status.getReadyMembers()).isZero();
    assertThat(status.getLeader()).isNull();
    assertCondition(status, ConditionTypes.AVAILABLE, "False", Reasons.QUORUM_LOST);
  }

  @Test
  void versionIsTheLowestOneDuringAnUpgrade() {
    ClusterView mixed = new ClusterView(CLUSTER_ID, 0xa0, List.of(
        member(0, true, "3.6.16"), member(1, true, "3.5.21"), member(2, false, null)));

    assertThat(aggregate(pods(true, true, true), Optional.of(mixed)).getVersion()).isEqualTo("3.5.21");
  }

  @Test
  void invalidSpecIsReportedAsDegraded() {
    Observation observation = new Observation(model(), MemberBootstrapRecords.NONE, List.of(), Optional.empty(),
        List.of("size must be odd"), Optional.empty(), Optional.empty(), NOW);

    EtcdClusterStatus status = StatusAggregator.aggregate(observation);

    assertCondition(status, ConditionTypes.DEGRADED, "True", Reasons.INVALID_SPEC);
    assertThat(condition(status, ConditionTypes.DEGRADED).getMessage()).isEqualTo("size must be odd");
    assertCondition(status, ConditionTypes.PROGRESSING, "False", Reasons.INVALID_SPEC);
  }

  @Test
  void aFailedReconcileIsReportedAsDegraded() {
    EtcdClusterStatus status = StatusAggregator.aggregate(new Observation(model(), records(), pods(true, true, true),
        Optional.of(etcd(true, true, true)), List.of(), Optional.of("applying the desired objects failed: boom"),
        Optional.empty(), NOW));

    assertCondition(status, ConditionTypes.DEGRADED, "True", Reasons.RECONCILE_ERROR);
    assertThat(condition(status, ConditionTypes.DEGRADED).getMessage())
        .isEqualTo("applying the desired objects failed: boom");
    assertCondition(status, ConditionTypes.AVAILABLE, "True", Reasons.QUORUM_AVAILABLE);
  }

  @Test
  void pausedClustersAreNotProgressing() {
    cluster.getSpec().setPaused(true);

    EtcdClusterStatus status = aggregate(pods(true, true, true), Optional.of(etcd(true, true, true)));

    assertCondition(status, ConditionTypes.PROGRESSING, "False", Reasons.PAUSED);
    assertCondition(status, ConditionTypes.AVAILABLE, "True", Reasons.QUORUM_AVAILABLE);
  }

  @Test
  void transitionTimesOnlyMoveWhenAConditionFlips() {
    EtcdClusterStatus first = aggregate(pods(true, true, true), Optional.of(etcd(true, true, true)));
    cluster.setStatus(first);

    EtcdClusterStatus same = StatusAggregator.aggregate(observation(pods(true, true, true),
        Optional.of(etcd(true, true, true)), NOW.plusSeconds(60)));
    EtcdClusterStatus degraded = StatusAggregator.aggregate(observation(pods(true, true, false),
        Optional.of(etcd(true, true, false)), NOW.plusSeconds(60)));

    assertThat(StatusUpdates.changed(first, same)).isFalse();
    assertThat(condition(degraded, ConditionTypes.AVAILABLE).getLastTransitionTime()).isEqualTo("2026-01-02T03:04:05Z");
    assertThat(condition(degraded, ConditionTypes.DEGRADED).getLastTransitionTime()).isEqualTo("2026-01-02T03:05:05Z");
  }

  /** The cluster as created: its members on record, its model read with them. */
  @Test
  void aMemberWhoseRestoreFailsIsNamedWithTheContainersLastWords() {
    List<Pod> pods = pods(false, false, false);
    // fetch-snapshot failed and waits to be restarted: its last run's message says why
    pods.get(1).getStatus().setInitContainerStatuses(List.of(new io.fabric8.kubernetes.api.model.ContainerStatusBuilder()
        .withName("fetch-snapshot")
        .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState()
        .withNewLastState().withNewTerminated().withExitCode(1)
        .withMessage("fetching s3://b/k\nChecksumMismatch: s3://b/k has SHA-256 aa, but bb was expected")
        .endTerminated().endLastState()
        .build()));
    // one that failed before but now runs again is not reported
    pods.get(2).getStatus().setInitContainerStatuses(List.of(new io.fabric8.kubernetes.api.model.ContainerStatusBuilder()
        .withName("fetch-snapshot")
        .withNewState().withNewRunning().endRunning().endState()
        .withNewLastState().withNewTerminated().withExitCode(1).withMessage("earlier").endTerminated().endLastState()
        .build()));

    // and one that cannot even start: its Secret lacks the key
    pods.get(0).getStatus().setInitContainerStatuses(List.of(new io.fabric8.kubernetes.api.model.ContainerStatusBuilder()
        .withName("fetch-snapshot").withNewState().withNewWaiting().withReason("CreateContainerConfigError")
        .withMessage("couldn't find key AWS_ACCESS_KEY_ID in Secret ns/s3").endWaiting().endState().build()));

    EtcdClusterStatus status = aggregate(pods, Optional.empty());

    assertCondition(status, ConditionTypes.DEGRADED, "True", Reasons.MEMBER_INIT_FAILED);
    assertThat(condition(status, ConditionTypes.DEGRADED).getMessage()).isEqualTo("members cannot prepare their data:"
        + " demo-0: fetch-snapshot: CreateContainerConfigError: couldn't find key AWS_ACCESS_KEY_ID in Secret ns/s3;"
        + " demo-1: fetch-snapshot: ChecksumMismatch: s3://b/k has SHA-256 aa, but bb was expected");
  }

  @Test
  void aClusterHeldByAnInPlaceRestoreSaysWhich() {
    EtcdClusterStatus status = StatusAggregator.aggregate(new Observation(model(), records(), List.of(),
        Optional.empty(), List.of(), Optional.empty(), Optional.empty(), NOW, Optional.of("restore-nightly")));

    assertCondition(status, ConditionTypes.PROGRESSING, "True", Reasons.RESTORING);
    assertThat(condition(status, ConditionTypes.PROGRESSING).getMessage()).startsWith("EtcdRestore restore-nightly");
  }

  @Test
  void aLearnerIsListedAsOneAndIsNotReadyUntilPromoted() {
    List<MemberView> members = new ArrayList<>(etcd(true, true, true).members());
    MemberView second = members.get(1);
    members.set(1, new MemberView(second.id(), second.name(), second.peerURLs(), second.clientURLs(), true,
        true, true, "3.6.16", null));

    EtcdClusterStatus status = aggregate(pods(true, true, true), Optional.of(new ClusterView(CLUSTER_ID, 0xa0,
        members)));

    assertThat(status.getMembers().get(1).getLearner()).isTrue();
    assertThat(status.getMembers().get(1).isReady()).as("a learner does not vote").isFalse();
    assertThat(status.getMembers().get(0).getLearner()).as("absent for voters").isNull();
  }

  @Test
  void whileALearnerCatchesUpTheLeaderStaysAndFaultToleranceCountsVotersOnly() {
    // demo-0 was replaced: it is a learner, first in the list, and the leader is demo-2
    List<MemberView> members = new ArrayList<>(etcd(true, true, true).members());
    MemberView first = members.get(0);
    members.set(0, new MemberView(0xb0, first.name(), first.peerURLs(), first.clientURLs(), true, true, true,
        "3.6.16", null, 90, 90));
    members.set(2, withRevision(members.get(2), 100));

    EtcdClusterStatus status = aggregate(pods(true, true, true), Optional.of(new ClusterView(CLUSTER_ID, 0xa2,
        members)));

    assertThat(status.getLeader()).isEqualTo("demo-2");
    assertThat(status.getReadyMembers()).isEqualTo(2);
    assertThat(status.getFaultTolerance()).as("two voters of three: none may fail").isZero();
    assertThat(status.getMembers().get(0)).satisfies(m -> {
      assertThat(m.getReason()).isEqualTo(Reasons.MEMBER_LEARNER);
      assertThat(m.getMessage()).contains("10 revisions behind the leader");
    });
    assertThat(condition(status, ConditionTypes.DEGRADED).getMessage()).contains("not ready: demo-0 (Learner)");
  }

  @Test
  void eachMemberThatIsNotReadySaysWhy() {
    List<MemberView> members = new ArrayList<>(etcd(true, true, true, true, true).members());
    MemberView cutOff = members.get(1);
    members.set(1, new MemberView(cutOff.id(), cutOff.name(), cutOff.peerURLs(), cutOff.clientURLs(), false,
        true, false, "3.6.16", null));
    members.set(2, member(2, false, null));
    members.set(3, new MemberView(0xa3, "", members.get(3).peerURLs(), List.of(), true, false, false, null,
        "member has no client endpoint yet"));
    cluster.getSpec().setSize(5);
    List<Pod> pods = new ArrayList<>(pods(true, false, true, true, false));
    pods.removeIf(p -> p.getMetadata().getName().equals("demo-2"));

    EtcdClusterStatus status = aggregate(pods, Optional.of(new ClusterView(CLUSTER_ID, 0xa0, members)));

    assertThat(status.getMembers()).extracting(MemberStatus::getName, MemberStatus::getReason).containsExactly(
        org.assertj.core.groups.Tuple.tuple("demo-0", null),
        org.assertj.core.groups.Tuple.tuple("demo-1", Reasons.MEMBER_NO_LEADER),
        org.assertj.core.groups.Tuple.tuple("demo-2", Reasons.MEMBER_NO_POD),
        org.assertj.core.groups.Tuple.tuple("demo-3", Reasons.MEMBER_NOT_STARTED),
        org.assertj.core.groups.Tuple.tuple("demo-4", Reasons.MEMBER_POD_NOT_READY));
    assertThat(status.getMembers().get(1).getMessage()).contains("cut off");
    assertThat(status.getMembers().get(2).getMessage()).contains("connection refused");
    assertThat(status.getMembers().get(0).getMessage()).isNull();
  }

  @Test
  void aStepEtcdKeepsRefusingStopsProgressWithEtcdsWords() {
    cluster.setStatus(aggregate(pods(true, true, true), Optional.of(etcd(true, true, true))));
    var step = new dev.quorum.membership.MembershipPlanner.Step.Promote("demo-1", 0xa1,
        dev.quorum.membership.MembershipPlanner.Operation.AddMember);
    String refused = "promoting learner demo-1 once it has caught up has been refused the same way since"
        + " 2026-01-02T03:00:00Z: promoting learner a1 failed: http://demo-1:2379: etcdserver: rpc not supported for"
        + " learner";

    EtcdClusterStatus status = StatusAggregator.aggregate(new Observation(model(), records(), pods(true, true, true),
        Optional.of(etcd(true, true, true)), List.of(), Optional.empty(), Optional.empty(), NOW, Optional.empty(),
        Optional.of(step), Optional.empty(), Optional.empty(), Optional.of(refused), Optional.empty(), Optional.empty()));

    assertCondition(status, ConditionTypes.PROGRESSING, "False", Reasons.MEMBERSHIP_STEP_REFUSED);
    assertThat(condition(status, ConditionTypes.PROGRESSING).getMessage()).isEqualTo(refused);
  }

  private static MemberView withRevision(MemberView m, long revision) {
    return new MemberView(m.id(), m.name(), m.peerURLs(), m.clientURLs(), m.learner(), m.reachable(),
        m.leaderKnown(), m.version(), m.error(), revision, revision);
  }

  private MemberBootstrapRecords records() {
    return TestClusters.foundingRecords(TestClusters.model(cluster));
  }

  private EtcdClusterModel model() {
    return model(records());
  }

  private EtcdClusterModel model(MemberBootstrapRecords records) {
    return TestClusters.model(cluster, records);
  }

  private EtcdClusterStatus aggregate(List<Pod> pods, Optional<ClusterView> etcd) {
    return StatusAggregator.aggregate(observation(pods, etcd, NOW));
  }

  private Observation observation(List<Pod> pods, Optional<ClusterView> etcd, Instant now) {
    return new Observation(model(), records(), pods, etcd, List.of(), Optional.empty(), Optional.empty(), now);
  }

  private List<Pod> pods(boolean... ready) {
    return TestClusters.pods(model(), ready);
  }

  private static ClusterView etcd(boolean... reachable) {
    List<MemberView> members = new ArrayList<>();
    IntStream.range(0, reachable.length)
        .forEach(i -> members.add(member(i, reachable[i], reachable[i] ? "3.6.16" : null)));
    return new ClusterView(CLUSTER_ID, reachable[0] ? 0xa0 : 0, members);
  }

  private static MemberView member(int ordinal, boolean reachable, String version) {
    String host = "demo-" + ordinal + ".demo.default.svc.cluster.local";
    return new MemberView(0xa0 + ordinal, "demo-" + ordinal, List.of("http://" + host + ":2380"),
        List.of("http://" + host + ":2379"), false, reachable, reachable, version, reachable ? null : "connection refused");
  }

  private static Condition condition(EtcdClusterStatus status, String type) {
    return status.condition(type).orElseThrow();
  }

  private static void assertCondition(EtcdClusterStatus status, String type, String value, String reason) {
    Condition condition = condition(status, type);
    assertThat(condition.getStatus()).as(type + " status").isEqualTo(value);
    assertThat(condition.getReason()).as(type + " reason").isEqualTo(reason);
    assertThat(condition.getMessage()).as(type + " message").isNotBlank();
    assertThat(condition.getObservedGeneration()).isEqualTo(1L);
  }

  @Test
  void aTerminatingOutdatedPodCountsAsMissingOnly() {
    MemberBootstrapRecords records = TestClusters.foundingRecords(TestClusters.model(cluster));
    EtcdClusterModel model = TestClusters.model(cluster, records);
    cluster.setStatus(StatusAggregator.aggregate(new Observation(model, records, TestClusters.readyPods(model),
        Optional.empty(), List.of(), Optional.empty(), Optional.empty(), NOW)));
    List<Pod> pods = List.of(TestClusters.outdatedPod(model, 0, true), TestClusters.outdatedPod(model, 1, true),
        TestClusters.terminating(TestClusters.outdatedPod(model, 2, true)));
    EtcdClusterStatus status = StatusAggregator.aggregate(new Observation(model, records, pods, Optional.empty(),
        List.of(), Optional.empty(), Optional.empty(), NOW));
    assertThat(status.condition(ConditionTypes.PROGRESSING).get().getMessage())
        .contains("0 of 3 members updated", "next: demo-1, demo-0");
  }
}
