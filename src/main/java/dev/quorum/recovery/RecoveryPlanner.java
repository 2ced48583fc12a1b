package dev.quorum.recovery;

import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.EtcdRecoveryStatus;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.QuorumLossPolicy;
import dev.quorum.api.v1alpha1.RecoverySource;
import dev.quorum.api.v1alpha1.WholeDuration;
import dev.quorum.etcd.ClusterView;
import dev.quorum.membership.MembershipPlanner;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.restore.RestoreSources;
import dev.quorum.specs.AutomaticRecoveryBuilder;
import dev.quorum.specs.RecoveryRestoreBuilder;
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
 * refused, with nothing touched, when it cannot be carried out; otherwise it begins by recording what it decided
 * before anything changes. From a survivor (the survivor, the claims set aside, what it gives up), it proceeds one
 * {@link SurvivorRecovery} step per pass, hands over to the membership planner once the survivor runs alone, and
 * succeeds when every member serves again. From a backup (the backup, the restore, what it gives up), an in-place
 * EtcdRestore carries it out ({@link BackupRecovery}), and it ends with that restore.
 */
public final class RecoveryPlanner {

  public static final String QUORUM_HOLDS = "QuorumHolds";
  public static final String NEVER_FORMED = "NeverFormed";
  public static final String EPHEMERAL_MEMBERS = "EphemeralMembers";
  public static final String NO_SURVIVOR = "NoSurvivor";
  public static final String ANOTHER_RECOVERY = "AnotherRecoveryInProgress";
  public static final String SURVIVOR_LOST = "SurvivorLost";
  public static final String RESTORED_IN_PLACE = "RestoredInPlace";
  public static final String RECOVERING = "RecoveringFromSurvivor";
  public static final String LEADER_KNOWN = "MemberFollowsALeader";
  public static final String REJOINING = "MembersRejoining";
  public static final String RECOVERED = "Recovered";
  public static final String RESTORE_IN_PROGRESS = "RestoreInProgress";

  /**
   * One look at everything a pass decides on.
   *
   * @param pods the members' pods; in StaticPod mode the kubelets' mirror pods as they run
   * @param manifests StaticPod mode: the members whose manifest's ConfigMap exists (their node agents start them);
   *     none otherwise
   * @param quorumLoss how the voters stand, once the cluster has had a quorum
   * @param recoveries the EtcdRecoveries naming this cluster, finished or not
   * @param backups the EtcdBackups of the cluster's namespace, while a recovery is asked for (else none)
   * @param restores the EtcdRestores of the cluster's namespace, likewise
   * @param restoredBy the EtcdRestore that holds the members while it restores them in place, if one does
   */
  public record Observation(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      Set<String> manifests, List<PersistentVolumeClaim> claims, Optional<ClusterView> etcd, Optional<QuorumLoss.Assessment> quorumLoss,
      List<EtcdRecovery> recoveries, List<EtcdBackup> backups, List<EtcdRestore> restores,
      Optional<String> restoredBy, Instant now) {

    public Observation {
      pods = List.copyOf(pods);
      manifests = Set.copyOf(manifests);
      claims = List.copyOf(claims);
      recoveries = List.copyOf(recoveries);
      backups = List.copyOf(backups);
      restores = List.copyOf(restores);
    }
  }

  public sealed interface Decision {
    EtcdRecovery recovery();

    /** It cannot be carried out: it fails, and nothing is touched. */
    record Refuse(EtcdRecovery recovery, String reason, String message) implements Decision {}

    /** It waits to begin, for the reason given; nothing is touched meanwhile. */
    record Pending(EtcdRecovery recovery, String reason, String message) implements Decision {}

    /** It begins from a survivor: what it decided is recorded before anything changes. */
    record Begin(EtcdRecovery recovery, QuorumLoss.Voter survivor, List<String> setAsideClaims, String loss)
        implements Decision {}

    /**
     * It begins from a backup: the backup and the restore that carries it out are recorded before the restore is
     * created.
     *
     * @param revision the backup's etcd revision, when its status says it
     */
    record BeginFromBackup(EtcdRecovery recovery, String backup, String restore, String loss, Long revision)
        implements Decision {}

    /** From a backup: its restore, named in the recovery's status, is created. */
    record Restore(EtcdRecovery recovery, EtcdRestore restore) implements Decision {}

    /**
     * From a backup: the one tried failed the restore's check with nothing touched; the next newest is tried.
     *
     * @param passedOver every backup passed over so far, each with why
     */
    record NextBackup(EtcdRecovery recovery, List<String> passedOver, String backup, String restore, String loss,
        Long revision) implements Decision {}

    /** One step from the survivor; the cluster's members are left to it meanwhile. */
    record Proceed(EtcdRecovery recovery, SurvivorRecovery.Plan plan) implements Decision {}

    /** The survivor runs alone: the membership planner re-adds the others from now on. */
    record HandOver(EtcdRecovery recovery) implements Decision {}

    /**
     * Every member serves again.
     *
     * @param members the members that came back: re-added empty (from a survivor), or restored (from a backup)
     */
    record Finish(EtcdRecovery recovery, String message, List<String> members) implements Decision {}

    /** It began, but cannot go on. */
    record Fail(EtcdRecovery recovery, String reason, String message) implements Decision {}

    /** Handed over, the others still rejoining: nothing to do but report. */
    record Follow(EtcdRecovery recovery, String message) implements Decision {}
  }

  private RecoveryPlanner() {}

  /**
   * @return the decision on the recovery that runs (or the oldest asked), then a refusal of every other one asked
   *     while that one runs or begins: two would fight over the members
   */
  public static List<Decision> decide(Observation o) {
    List<EtcdRecovery> open = o.recoveries().stream().filter(EtcdRecovery::inProgress)
        .sorted(Comparator.comparing((EtcdRecovery r) -> r.getMetadata().getCreationTimestamp(),
            Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(r -> r.getMetadata().getName()))
        .toList();
    if (open.isEmpty()) {
      return List.of();
    }
    EtcdRecovery first = open.stream().filter(EtcdRecovery::begun).findFirst().orElse(open.get(0));
    Decision decision;
    if (BackupRecovery.begun(first)) {
      // its own restore holds the members and rewrites their records: it follows that restore to its end
      decision = BackupRecovery.proceed(first, o.model(), o.restores(), o.backups(), o.quorumLoss(), o.now());
    } else if (o.records().restoring() || o.restoredBy().isPresent()) {
      // an in-place restore replaces (or is about to replace) every member's data: nothing is left to recover from
      return open.stream().map(r -> (Decision) (r.begun()
          ? new Decision.Fail(r, RESTORED_IN_PLACE, "an in-place restore replaced the members' data: this recovery"
              + " ends; the restored cluster starts from the snapshot")
          : new Decision.Refuse(r, o.restoredBy().isPresent() ? RESTORE_IN_PROGRESS : RESTORED_IN_PLACE,
              o.restoredBy().map(by -> "EtcdRestore " + by + " is restoring the cluster in place: nothing to"
                  + " recover").orElse("the cluster is being restored in place: nothing to recover"))))
          .toList();
    } else {
      decision = first.begun() ? proceed(o, first) : begin(o, first);
    }
    List<Decision> decisions = new ArrayList<>();
    decisions.add(decision);
    if (first.begun() || decision instanceof Decision.Begin || decision instanceof Decision.BeginFromBackup) {
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

  private static Decision begin(Observation o, EtcdRecovery recovery) {
    if (o.quorumLoss().isEmpty()) {
      return new Decision.Refuse(recovery, NEVER_FORMED, "the cluster has never had a quorum: there is nothing to"
          + " recover; it forms by itself");
    }
    QuorumLoss.Assessment loss = o.quorumLoss().get();
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
    RecoverySource from = recovery.getSpec().getFrom();
    if (from == RecoverySource.Backup) {
      return fromBackup(o, recovery, loss);
    }
    Decision survivor = fromSurvivor(o, recovery, loss);
    if (from == RecoverySource.Survivor) {
      return survivor;
    }
    return leastLoss(recovery, survivor, fromBackup(o, recovery, loss));
  }

  /** The way that gives up less: the backup only when it is further along than the best survivor. */
  private static Decision leastLoss(EtcdRecovery recovery, Decision survivor, Decision backup) {
    if (survivor instanceof Decision.Refuse notSurvivor && backup instanceof Decision.Refuse notBackup) {
      return new Decision.Refuse(recovery, notBackup.reason(), "neither way back can be taken: from a survivor, "
          + notSurvivor.message() + "; from a backup, " + notBackup.message());
    }
    if (!(survivor instanceof Decision.Begin begin)) {
      return backup;
    }
    if (!(backup instanceof Decision.BeginFromBackup restore)) {
      return survivor;
    }
    if (restore.revision() != null && restore.revision() > begin.survivor().revision()) {
      return new Decision.BeginFromBackup(recovery, restore.backup(), restore.restore(), restore.loss()
          + "; chosen as the least loss over the best survivor " + begin.survivor().name() + " (revision "
          + begin.survivor().revision() + ")", restore.revision());
    }
    return new Decision.Begin(recovery, begin.survivor(), begin.setAsideClaims(), begin.loss()
        + "; chosen as the least loss over EtcdBackup " + restore.backup() + " (revision "
        + (restore.revision() == null ? "unknown" : restore.revision()) + ")");
  }

  private static Decision fromBackup(Observation o, EtcdRecovery recovery, QuorumLoss.Assessment loss) {
    String cluster = o.model().name();
    String named = recovery.getSpec().getBackupName();
    List<EtcdBackup> candidates = BackupRecovery.candidates(cluster, o.backups(), Set.of());
    if (named != null) {
      Optional<EtcdBackup> backup = o.backups().stream().filter(b -> b.getMetadata().getName().equals(named))
          .findFirst();
      if (backup.isEmpty()) {
        return new Decision.Refuse(recovery, RestoreSources.BACKUP_NOT_FOUND, "EtcdBackup " + named
            + " does not exist in namespace " + o.model().namespace() + "; nothing was touched");
      }
      if (candidates.stream().noneMatch(b -> b == backup.get())) {
        return new Decision.Refuse(recovery, RestoreSources.BACKUP_NOT_SUCCEEDED, "EtcdBackup " + named
            + " is not a Succeeded backup of cluster " + cluster + "; nothing was touched");
      }
      candidates = List.of(backup.get());
    }
    if (candidates.isEmpty()) {
      return new Decision.Refuse(recovery, BackupRecovery.NO_BACKUP, "cluster " + cluster + " has no Succeeded"
          + " EtcdBackup in namespace " + o.model().namespace() + " (" + loss.describe() + ")"
          + loss.bestSurvivor().map(b -> ": recover from: Survivor (" + b.name() + " holds data)").orElse(""));
    }
    EtcdBackup newest = candidates.get(0);
    return new Decision.BeginFromBackup(recovery, newest.getMetadata().getName(),
        RecoveryRestoreBuilder.name(recovery, 1), BackupRecovery.loss(newest, o.quorumLoss(), o.now()),
        newest.getStatus().getRevision());
  }

  private static Decision fromSurvivor(Observation o, EtcdRecovery recovery, QuorumLoss.Assessment loss) {
    EtcdClusterModel model = o.model();
    if (model.ephemeral()) {
      return new Decision.Refuse(recovery, EPHEMERAL_MEMBERS, "the members' data lives in their pods (ephemeral"
          + " storage): restarting the survivor with --force-new-cluster would lose it; recover from: Backup");
    }
    Optional<QuorumLoss.Voter> best = loss.bestSurvivor();
    if (best.isEmpty()) {
      return new Decision.Refuse(recovery, NO_SURVIVOR, "no member answers with data (" + loss.describe()
          + "): recover from: Backup");
    }
    Optional<Member> survivor = model.members().stream().filter(m -> m.name().equals(best.get().name()))
        .findFirst();
    if (survivor.isEmpty()) {
      return new Decision.Refuse(recovery, NO_SURVIVOR, "the member with the most data, " + best.get().name()
          + ", is leaving the cluster; recover from: Backup");
    }
    List<String> setAside = model.members().stream().filter(m -> !m.name().equals(best.get().name()))
        .flatMap(m -> o.claims().stream().filter(c -> c.getMetadata().getName().equals(model.claimName(m))))
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

  private static Decision proceed(Observation o, EtcdRecovery recovery) {
    EtcdClusterModel model = o.model();
    MemberBootstrapRecords records = o.records();
    List<Pod> pods = o.pods();
    Optional<ClusterView> etcd = o.etcd();
    Optional<QuorumLoss.Assessment> quorumLoss = o.quorumLoss();
    EtcdRecoveryStatus status = recovery.getStatus();
    if (Boolean.TRUE.equals(status.getHandedOver())) {
      long serving = model.members().stream().filter(m -> etcd.flatMap(v -> MembershipPlanner.entryOf(v, m))
          .filter(e -> e.healthy() && !e.learner()).isPresent()).count();
      return serving == model.size()
          ? new Decision.Finish(recovery, "every member serves again: " + model.size() + " voters, recovered from "
              + status.getSurvivor(), model.members().stream().map(Member::name)
                  .filter(name -> !name.equals(status.getSurvivor())).toList())
          : new Decision.Follow(recovery, serving + " of " + model.size() + " members serve; the others rejoin one"
              + " at a time, learner first");
    }
    Set<String> setAside = Set.copyOf(status.getSetAsideClaims() == null ? List.of() : status.getSetAsideClaims());
    SurvivorRecovery.Request request = new SurvivorRecovery.Request(status.getSurvivor(), setAside);
    if (quorumLoss.filter(loss -> !loss.noLeader()).isPresent()
        && !SurvivorRecovery.forced(model, records, pods, etcd, request)) {
      // quorum came back before anything was forced: the members stopped so far come back with their data
      return new Decision.Fail(recovery, QUORUM_HOLDS, "quorum came back before " + status.getSurvivor()
          + " was forced into a new cluster (" + quorumLoss.get().describe() + "): nothing was forced, the members"
          + " go on as they were");
    }
    SurvivorRecovery.Plan plan = SurvivorRecovery.next(model, records, pods, o.manifests(), o.claims(), etcd,
        request);
    if (plan.step() instanceof SurvivorRecovery.Step.Fail fail) {
      return new Decision.Fail(recovery, SURVIVOR_LOST, fail.reason());
    }
    if (plan.step() instanceof SurvivorRecovery.Step.Rejoin) {
      return new Decision.HandOver(recovery);
    }
    return new Decision.Proceed(recovery, plan);
  }
}
