package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.config.QuorumConfig;
import dev.quorum.etcd.EtcdIds;
import dev.quorum.maintenance.DatabaseCarePlan;
import dev.quorum.maintenance.DatabaseStep;
import dev.quorum.membership.DowngradePlan;
import dev.quorum.membership.MembershipPlanner;
import dev.quorum.membership.UpgradeGuard;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import dev.quorum.recovery.QuorumLoss;
import dev.quorum.recovery.RecoveryPlanner;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pure: what a pass does with a cluster, from what it observed. One course per situation, checked in this order: the
 * cluster could not be read, its spec cannot be carried out, its TLS Secret cannot be used, an EtcdRestore holds its
 * members, it is paused, an EtcdRecovery holds its members; otherwise it converges, with the membership step, the roll and the upgrade's notes decided
 * here from the same observation (a member's pod waits until the membership expects it).
 */
final class ClusterPlanner {

  /** The deadlines the decisions keep. */
  record Settings(Duration replaceBrokenAfter, Duration upgradeHealthTimeout) {
    static Settings from(QuorumConfig config) {
      return new Settings(config.membership().replaceBrokenAfter(), config.membership().upgradeHealthTimeout());
    }
  }

  sealed interface Course {
    /** A call the API server failed while the cluster was read: nothing is decided on half a picture. */
    record Unread(KubernetesClientException failure) implements Course {}

    /** The spec cannot be carried out as it is: nothing is created or changed. */
    record InvalidSpec(String problems) implements Course {}

    /**
     * The members' TLS Secret cannot be used: the members are left as they are, and only the Certificate is kept
     * (unless paused): a bad Secret, a leftover say, is cert-manager's to replace.
     */
    record UnusableTlsSecret(String problem, boolean keepCertificate) implements Course {}

    /**
     * An EtcdRestore holds the members while it restores them in place.
     *
     * @param recovery what is reported on EtcdRecoveries meanwhile (one from a backup follows its restore)
     */
    record HeldByRestore(String restore, List<RecoveryPlanner.Decision> recovery) implements Course {}

    /** spec.paused: the operator changes nothing, and only reports. */
    record Paused() implements Course {}

    /**
     * An EtcdRecovery holds the members: it begins (what it decided recorded before anything changes), takes its next
     * step, or hands over; meanwhile only the survivor's missing pod is made, and no membership step is taken.
     *
     * @param recovery the decision on the recovery that runs, then refusals of others asked meanwhile
     */
    record Recover(List<RecoveryPlanner.Decision> recovery, List<Pod> createPods) implements Course {}

    /**
     * The cluster is brought one step closer to its spec.
     *
     * @param createClaims and {@code createPods}: missing ones, less those of members the membership holds back
     * @param rotation the CA change under way, if one is: members join only once it is over
     * @param quorumLoss how the voters stand when the cluster has lost its quorum
     * @param recovery what is reported on EtcdRecoveries that do not hold the members (refused, failed, rejoining,
     *     finished)
     * @param askRecovery the EtcdRecovery the cluster's policy asks for, once quorum has been lost long enough
     * @param care the next step of the care of the members' databases (a NOSPACE recovery, a defragmentation), taken
     *     only while no membership change or roll is under way (one operation at a time)
     * @param downgrade what etcd's downgrade API needs before members roll back to an older minor; the roll waits
     */
    record Converge(MembershipPlanner.Plan membership, MemberRollout.Plan rollout,
        List<PersistentVolumeClaim> createClaims, List<Pod> createPods, Optional<String> rotation,
        Optional<UpgradeGuard.Note> upgradeNote, Optional<QuorumLoss.Assessment> quorumLoss,
        List<RecoveryPlanner.Decision> recovery, Optional<EtcdRecovery> askRecovery,
        Optional<DatabaseStep> care, Optional<DowngradePlan.Step> downgrade) implements Course {}
  }

  private ClusterPlanner() {}

  static Course decide(ClusterPass pass, Settings settings) {
    if (pass.unread().isPresent()) {
      return new Course.Unread(pass.unread().get());
    }
    if (!pass.problems().isEmpty()) {
      return new Course.InvalidSpec(String.join("; ", pass.problems()));
    }
    if (pass.tlsProblem().isPresent()) {
      return new Course.UnusableTlsSecret(pass.tlsProblem().get(), !pass.paused());
    }
    List<RecoveryPlanner.Decision> recovery = pass.paused() ? List.of()
        : RecoveryPlanner.decide(pass.recoveryObservation());
    if (pass.restoredBy().isPresent()) {
      return new Course.HeldByRestore(pass.restoredBy().get(), recovery);
    }
    if (pass.paused()) {
      return new Course.Paused();
    }
    if (!recovery.isEmpty() && holdsMembers(recovery.get(0))) {
      return recover(pass, recovery);
    }
    return converge(pass, settings, recovery);
  }

  private static boolean holdsMembers(RecoveryPlanner.Decision decision) {
    return decision instanceof RecoveryPlanner.Decision.Begin || decision instanceof RecoveryPlanner.Decision.Proceed
        || decision instanceof RecoveryPlanner.Decision.HandOver;
  }

  private static Course.Recover recover(ClusterPass pass, List<RecoveryPlanner.Decision> recovery) {
    List<Pod> createPods = List.of();
    if (recovery.get(0) instanceof RecoveryPlanner.Decision.Proceed proceed) {
      createPods = MemberRollout.plan(pass.model(), pass.pods(), pass.claims(), pass.leader(), pass.formed())
          .createPods().stream().filter(p -> !proceed.plan().holdBack().contains(StaticPodMembers.memberOf(p))).toList();
    }
    return new Course.Recover(recovery, createPods);
  }

  private static Course.Converge converge(ClusterPass pass, Settings settings,
      List<RecoveryPlanner.Decision> recovery) {
    // a static pod's data is on its node, out of the operator's reach: a broken one is reported, not discarded; and
    // a member failing on a new version is the upgrade's to roll back, not one to replace
    MembershipPlanner.BrokenAfter brokenAfter = pass.upgrading() || pass.model().staticPods()
        ? MembershipPlanner.BrokenAfter.NEVER
        : new MembershipPlanner.BrokenAfter(settings.replaceBrokenAfter(), pass.now());
    Optional<String> rotation = pass.tls().flatMap(MemberTls.Pass::certificates).flatMap(TlsCertificates::rotation);
    // lost as etcd's answers show it; when no member answers the operator, only if the pods agree (they may serve
    // where the operator cannot reach them), as Available judges it
    long readyPods = pass.pods().stream().filter(dev.quorum.model.PodReadiness::ready).count();
    Optional<QuorumLoss.Assessment> quorumLoss = pass.quorumLoss().filter(QuorumLoss.Assessment::lost)
        .filter(loss -> pass.etcd().isPresent() || readyPods < loss.quorum());
    Optional<DatabaseStep> careNext = pass.etcd().flatMap(view -> DatabaseCarePlan.next(view, pass.cluster(),
        pass.now())).map(step -> staticPodsReplacedByHand(pass.model(), step));
    // a member whose data diverged is replaced through the membership, as one broken for good is
    Optional<MembershipPlanner.Diverged> diverged = careNext.filter(DatabaseStep.ReplaceMember.class::isInstance)
        .map(DatabaseStep.ReplaceMember.class::cast)
        .map(replace -> new MembershipPlanner.Diverged(replace.member(), replace.id(), replace.why()));
    MembershipPlanner.Plan membership = holdingDataGone(MembershipPlanner.holdingJoins(MembershipPlanner.plan(
        pass.model(), pass.records(), pass.pods(), pass.claims(), pass.etcd(), brokenAfter, diverged), rotation),
        quorumLoss);
    Optional<DowngradePlan.Step> downgrade = pass.etcd()
        .flatMap(view -> DowngradePlan.next(pass.model().version(), view));
    MemberRollout.Plan rollout = heldByDowngrade(MemberRollout.plan(pass.model(), pass.pods(), pass.claims(),
        pass.leader(), pass.formed(), pass.serving()), downgrade);
    List<PersistentVolumeClaim> createClaims = rollout.createClaims().stream()
        .filter(c -> !membership.holdBack().contains(c.getMetadata().getLabels().get(Labels.MEMBER))).toList();
    List<Pod> createPods = rollout.createPods().stream()
        .filter(p -> !membership.holdBack().contains(StaticPodMembers.memberOf(p))).toList();
    Optional<UpgradeGuard.Note> upgradeNote = UpgradeGuard.next(pass.model(), pass.pods(), pass.annotations(),
        settings.upgradeHealthTimeout(), pass.now());
    Optional<EtcdRecovery> askRecovery = RecoveryPlanner.automatic(pass.model(), pass.quorumLoss(),
        pass.quorumLostSince(), pass.now(), pass.recoveries());
    // a member replaced because its data diverged is the membership's to replace: its step is only reported then
    Optional<DatabaseStep> care = membership.busy() || rollout.replace().isPresent()
        ? careNext.filter(DatabaseStep.ReplaceMember.class::isInstance) : careNext;
    return new Course.Converge(membership, rollout, createClaims, createPods, rotation, upgradeNote, quorumLoss,
        recovery, askRecovery, care, downgrade);
  }

  /**
   * No running member is rolled back to an older minor until etcd's downgrade is enabled and the data rewritten for
   * it; a member that is down already is replaced as ever (holding it would keep the cluster from being healthy, which
   * enabling the downgrade needs).
   */
  private static MemberRollout.Plan heldByDowngrade(MemberRollout.Plan rollout, Optional<DowngradePlan.Step> downgrade) {
    if (downgrade.isEmpty() || rollout.replace().filter(MemberRollout.Replacement::evict).isEmpty()) {
      return rollout;
    }
    String waits = rollout.waiting().map(w -> w + "; ").orElse("") + downgrade.get().describe();
    return new MemberRollout.Plan(rollout.createClaims(), rollout.createPods(), Optional.empty(), Optional.of(waits));
  }

  /** A static member's data lies on its node, out of the operator's reach: one that diverged is the user's to replace. */
  private static DatabaseStep staticPodsReplacedByHand(EtcdClusterModel model, DatabaseStep step) {
    if (!model.staticPods() || !(step instanceof DatabaseStep.ReplaceMember replace)) {
      return step;
    }
    return new DatabaseStep.CannotDecide(replace.operation(), "etcd raised CORRUPT: " + replace.why() + "; a static"
        + " member's data lies on its node, out of the operator's reach: replace it by hand as etcd's runbook says"
        + " (stop its etcd, etcdctl member remove " + EtcdIds.toHex(replace.id()) + ", clear its data directory,"
        + " etcdctl member add, start it), then disarm the alarm (etcdctl alarm disarm)");
  }

  /**
   * Quorum lost for good: a member whose data is gone gets no new pod or claim. Started empty from its record it
   * would found a new, empty cluster (when no member answers) or wait for a quorum that cannot come; only a recovery
   * brings such members back.
   */
  private static MembershipPlanner.Plan holdingDataGone(MembershipPlanner.Plan plan,
      Optional<QuorumLoss.Assessment> quorumLoss) {
    List<String> dataGone = quorumLoss.filter(QuorumLoss.Assessment::lostForGood)
        .map(loss -> loss.named(QuorumLoss.Standing.DATA_GONE)).orElse(List.of());
    if (dataGone.isEmpty()) {
      return plan;
    }
    Set<String> holdBack = new TreeSet<>(plan.holdBack());
    holdBack.addAll(dataGone);
    return new MembershipPlanner.Plan(plan.step(), Set.copyOf(holdBack));
  }
}
