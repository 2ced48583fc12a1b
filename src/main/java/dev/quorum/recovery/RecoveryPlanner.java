package dev.quorum.recovery;

import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.EtcdRecoveryStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.QuorumLossPolicy;
import dev.quorum.api.v1alpha1.RecoverySource;
import dev.quorum.api.v1alpha1.WholeDuration;
import dev.quorum.etcd.ClusterView;
import dev.quorum.membership.MembershipPlanner;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.specs.AutomaticRecoveryBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Pure: what a pass does with the EtcdRecoveries of its cluster. One recovery runs at a time (the oldest asked); it is
 * refused, with nothing touched, when it cannot be carried out; otherwise it begins by recording what it decided (the
 * survivor, the claims set aside, what it gives up) before anything changes, proceeds one {@link SurvivorRecovery}
 * step per pass, hands over to the membership planner once the survivor runs alone, and succeeds when every member
 * serves again.
 */
public final class RecoveryPlanner {

  public static final String QUORUM_HOLDS = "QuorumHolds";
  public static final String NEVER_FORMED = "NeverFormed";
  public static final String EPHEMERAL_MEMBERS = "EphemeralMembers";
  public static final String STATIC_POD_MODE = "StaticPodMode";
  public static final String NO_SURVIVOR = "NoSurvivor";
  public static final String ANOTHER_RECOVERY = "AnotherRecoveryInProgress";
  public static final String NOT_AVAILABLE_YET = "NotAvailableYet";
  public static final String SURVIVOR_LOST = "SurvivorLost";
  public static final String RESTORED_IN_PLACE = "RestoredInPlace";
  public static final String RECOVERING = "RecoveringFromSurvivor";
  public static final String LEADER_KNOWN = "MemberFollowsALeader";
  public static final String REJOINING = "MembersRejoining";
  public static final String RECOVERED = "Recovered";

  public sealed interface Decision {
    EtcdRecovery recovery();

    /** It cannot be carried out: it fails, and nothing is touched. */
    record Refuse(EtcdRecovery recovery, String reason, String message) implements Decision {}

    /** It waits to begin, for the reason given; nothing is touched meanwhile. */
    record Pending(EtcdRecovery recovery, String reason, String message) implements Decision {}

    /** It begins: what it decided is recorded before anything changes. */
    record Begin(EtcdRecovery recovery, QuorumLoss.Voter survivor, List<String> setAsideClaims, String loss)
        implements Decision {}

    /** One step from the survivor; the cluster's members are left to it meanwhile. */
    record Proceed(EtcdRecovery recovery, SurvivorRecovery.Plan plan) implements Decision {}

    /** The survivor runs alone: the membership planner re-adds the others from now on. */
    record HandOver(EtcdRecovery recovery) implements Decision {}

    /** Every member serves again. */
    record Finish(EtcdRecovery recovery, String message) implements Decision {}

    /** It began, but cannot go on. */
    record Fail(EtcdRecovery recovery, String reason, String message) implements Decision {}

    /** Handed over, the others still rejoining: nothing to do but report. */
    record Follow(EtcdRecovery recovery, String message) implements Decision {}
  }

  private RecoveryPlanner() {}

  /**
   * @param recoveries the EtcdRecoveries naming this cluster, finished or not
   * @param quorumLoss how the voters stand, once the cluster has had a quorum
   * @return the decision on the recovery that runs (or the oldest asked), then a refusal of every other one asked
   *     while that one runs or begins: two would fight over the members
   */
  public static List<Decision> decide(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      List<PersistentVolumeClaim> claims, Optional<ClusterView> etcd, Optional<QuorumLoss.Assessment> quorumLoss,
      List<EtcdRecovery> recoveries) {
    List<EtcdRecovery> open = recoveries.stream().filter(EtcdRecovery::inProgress)
        .sorted(Comparator.comparing((EtcdRecovery r) -> r.getMetadata().getCreationTimestamp(),
            Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(r -> r.getMetadata().getName()))
        .toList();
    if (open.isEmpty()) {
      return List.of();
    }
    if (records.restoring()) {
      // an in-place restore has replaced every member's data: nothing is left to recover from, or to set aside
      return open.stream().map(r -> (Decision) (begun(r)
          ? new Decision.Fail(r, RESTORED_IN_PLACE, "an in-place restore replaced the members' data: this recovery"
              + " ends; the restored cluster starts from the snapshot")
          : new Decision.Refuse(r, RESTORED_IN_PLACE, "the cluster is being restored in place: nothing to recover")))
          .toList();
    }
    EtcdRecovery first = open.stream().filter(RecoveryPlanner::begun).findFirst().orElse(open.get(0));
    Decision decision = begun(first) ? proceed(model, records, pods, claims, etcd, quorumLoss, first)
        : begin(model, claims, quorumLoss, first);
    List<Decision> decisions = new ArrayList<>();
    decisions.add(decision);
    if (begun(first) || decision instanceof Decision.Begin) {
      open.stream().filter(r -> r != first).forEach(other -> decisions.add(new Decision.Refuse(other,
          ANOTHER_RECOVERY, "EtcdRecovery " + first.getMetadata().getName() + " is recovering this cluster; one"
              + " recovery runs at a time")));
    }
    return List.copyOf(decisions);
  }

  /**
   * With {@code spec.quorumLoss.recovery: Automatic}: the EtcdRecovery the operator asks for itself, once quorum has
   * been lost for the policy's deadline. Never before it (members that could still come back with their data have
   * until then), never while a recovery runs, and once per loss (its name is the loss's).
   *
   * @param lostSince when the cluster's Available condition turned to QuorumLost, if it did
   */
  public static Optional<EtcdRecovery> automatic(EtcdClusterModel model, Optional<QuorumLoss.Assessment> quorumLoss,
      Optional<Instant> lostSince, Instant now, List<EtcdRecovery> recoveries) {
    QuorumLossPolicy policy = model.spec().getQuorumLoss();
    if (policy == null || policy.getRecovery() != QuorumLossPolicy.Recovery.Automatic
        || quorumLoss.filter(loss -> loss.lost() && loss.noLeader()).isEmpty() || lostSince.isEmpty()) {
      return Optional.empty();
    }
    Duration after = WholeDuration.parse("spec.quorumLoss.after", policy.getAfter());
    String name = AutomaticRecoveryBuilder.name(model, lostSince.get());
    if (now.isBefore(lostSince.get().plus(after)) || recoveries.stream().anyMatch(EtcdRecovery::inProgress)
        || recoveries.stream().anyMatch(r -> name.equals(r.getMetadata().getName()))) {
      return Optional.empty();
    }
    return Optional.of(AutomaticRecoveryBuilder.build(model, policy.getFrom(), lostSince.get()));
  }

  private static boolean begun(EtcdRecovery recovery) {
    EtcdRecoveryStatus status = recovery.getStatus();
    return status != null && status.getPhase() == OperationPhase.Running && status.getSurvivor() != null;
  }

  private static Decision begin(EtcdClusterModel model, List<PersistentVolumeClaim> claims,
      Optional<QuorumLoss.Assessment> quorumLoss, EtcdRecovery recovery) {
    if (quorumLoss.isEmpty()) {
      return new Decision.Refuse(recovery, NEVER_FORMED, "the cluster has never had a quorum: there is nothing to"
          + " recover; it forms by itself");
    }
    QuorumLoss.Assessment loss = quorumLoss.get();
    if (!loss.lost()) {
      return new Decision.Refuse(recovery, QUORUM_HOLDS, "the cluster has its quorum (" + loss.describe()
          + "): there is nothing to recover; a member whose data is gone is replaced by itself");
    }
    if (!loss.noLeader()) {
      // a member that lost its leader keeps following it for an election timeout: a request made that soon waits
      return new Decision.Pending(recovery, LEADER_KNOWN, "a member still follows a leader (" + loss.describe()
          + "): the cluster may have its quorum where the operator cannot reach it; the recovery begins once no"
          + " member does");
    }
    if (recovery.getSpec().getFrom() == RecoverySource.Backup) {
      return new Decision.Refuse(recovery, NOT_AVAILABLE_YET, "from: Backup is not carried out by an EtcdRecovery"
          + " yet: restore the cluster in place with an EtcdRestore (spec.inPlace.confirmClusterName), or recover"
          + " from: Survivor");
    }
    if (model.staticPods()) {
      return new Decision.Refuse(recovery, STATIC_POD_MODE, "a StaticPod-mode cluster is not recovered by an"
          + " EtcdRecovery yet: follow the survivor runbook on the survivor's node");
    }
    if (model.ephemeral()) {
      return new Decision.Refuse(recovery, EPHEMERAL_MEMBERS, "the members' data lives in their pods (ephemeral"
          + " storage): restarting the survivor with --force-new-cluster would lose it; recover from a backup");
    }
    Optional<QuorumLoss.Voter> best = loss.bestSurvivor();
    if (best.isEmpty()) {
      return new Decision.Refuse(recovery, NO_SURVIVOR, "no member answers with data (" + loss.describe()
          + "): recover from a backup");
    }
    Optional<Member> survivor = model.members().stream().filter(m -> m.name().equals(best.get().name()))
        .findFirst();
    if (survivor.isEmpty()) {
      return new Decision.Refuse(recovery, NO_SURVIVOR, "the member with the most data, " + best.get().name()
          + ", is leaving the cluster; recover from a backup");
    }
    List<String> setAside = model.members().stream().filter(m -> !m.name().equals(best.get().name()))
        .flatMap(m -> claims.stream().filter(c -> c.getMetadata().getName().equals(model.claimName(m))))
        .map(c -> c.getMetadata().getUid()).filter(Objects::nonNull).sorted().toList();
    long newestAnswered = loss.voters().stream().mapToLong(QuorumLoss.Voter::revision).max().orElse(0);
    List<String> gone = loss.named(QuorumLoss.Standing.DATA_GONE);
    String gives = "recovers the data of " + best.get().name() + " (raft index " + best.get().raftIndex()
        + ", revision " + best.get().revision() + ", the most of the members that answer"
        + (newestAnswered > best.get().revision() ? "; a member answered revision " + newestAnswered : "")
        + "); gives up what only the other members held"
        + (gone.isEmpty() ? "" : " (the data of " + String.join(", ", gone) + " was gone already)");
    return new Decision.Begin(recovery, best.get(), setAside, gives);
  }

  private static Decision proceed(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      List<PersistentVolumeClaim> claims, Optional<ClusterView> etcd, Optional<QuorumLoss.Assessment> quorumLoss,
      EtcdRecovery recovery) {
    EtcdRecoveryStatus status = recovery.getStatus();
    if (Boolean.TRUE.equals(status.getHandedOver())) {
      long serving = model.members().stream().filter(m -> etcd.flatMap(v -> MembershipPlanner.entryOf(v, m))
          .filter(e -> e.healthy() && !e.learner()).isPresent()).count();
      return serving == model.size()
          ? new Decision.Finish(recovery, "every member serves again: " + model.size() + " voters, recovered from "
              + status.getSurvivor())
          : new Decision.Follow(recovery, serving + " of " + model.size() + " members serve; the others rejoin one"
              + " at a time, learner first");
    }
    Set<String> setAside = Set.copyOf(status.getSetAsideClaims() == null ? List.of() : status.getSetAsideClaims());
    SurvivorRecovery.Request request = new SurvivorRecovery.Request(status.getSurvivor(), setAside);
    if (quorumLoss.filter(loss -> !loss.noLeader()).isPresent() && !SurvivorRecovery.forced(model, records, pods, etcd, request)) {
      // quorum came back before anything was forced: the members stopped so far come back with their data
      return new Decision.Fail(recovery, QUORUM_HOLDS, "quorum came back before " + status.getSurvivor()
          + " was forced into a new cluster (" + quorumLoss.get().describe() + "): nothing was forced, the members"
          + " go on as they were");
    }
    SurvivorRecovery.Plan plan = SurvivorRecovery.next(model, records, pods, claims, etcd, request);
    if (plan.step() instanceof SurvivorRecovery.Step.Fail fail) {
      return new Decision.Fail(recovery, SURVIVOR_LOST, fail.reason());
    }
    if (plan.step() instanceof SurvivorRecovery.Step.Rejoin) {
      return new Decision.HandOver(recovery);
    }
    return new Decision.Proceed(recovery, plan);
  }
}
