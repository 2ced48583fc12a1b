package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.AlarmStatus;
import dev.quorum.api.v1alpha1.ClusterOperation;
import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.api.v1alpha1.MemberStatus;
import dev.quorum.api.v1alpha1.TlsStatus;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.EtcdAlarm;
import dev.quorum.etcd.MemberView;
import dev.quorum.maintenance.CorruptionRecovery;
import dev.quorum.maintenance.DatabaseStep;
import dev.quorum.maintenance.NoSpaceRecovery;
import dev.quorum.membership.MembershipPlanner;
import dev.quorum.model.EtcdVersion;
import dev.quorum.model.Quorum;
import dev.quorum.recovery.QuorumLoss;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Pure: turns an {@link Observation} into the status the EtcdCluster reports. */
public final class StatusAggregator {

  private StatusAggregator() {}

  public static EtcdClusterStatus aggregate(Observation observation) {
    EtcdCluster cluster = observation.cluster();
    EtcdClusterStatus previous = cluster.getStatus();
    int size = observation.runningSize();
    List<MemberStatus> members = MemberStatuses.of(observation);
    int ready = (int) members.stream().filter(MemberStatus::isReady).count();

    EtcdClusterStatus status = new EtcdClusterStatus();
    status.setObservedGeneration(cluster.getMetadata().getGeneration());
    status.setMembers(members);
    status.setReadyMembers(ready);
    status.setQuorum(Quorum.quorum(size));
    status.setFaultTolerance(Quorum.faultTolerance(ready, size));
    status.setLeader(members.stream().filter(MemberStatus::isLeader).map(MemberStatus::getName).findFirst().orElse(null));
    // the cluster ID never changes, so the last one seen stays true while etcd cannot be reached
    status.setClusterID(observation.etcd().map(ClusterView::clusterIdHex)
        .orElse(previous != null ? previous.getClusterID() : null));
    status.setRevision(revision(observation, previous));
    status.setVersion(observation.etcd().flatMap(s -> EtcdVersion.lowest(
        s.members().stream().filter(MemberView::reachable).map(MemberView::version).toList()))
        .map(EtcdVersion::toString).orElse(null));
    status.setClientEndpoint(observation.model().clientEndpoint());
    status.setSelector(observation.model().selector());
    status.setOperation(observation.membershipStep().map(step -> new ClusterOperation(step.operation().name(),
        step.member(), step.getClass().getSimpleName(), MembershipPlanner.describe(step)))
        .or(() -> observation.care().map(care -> new ClusterOperation(care.step().operation(), care.step().member(),
            care.step().getClass().getSimpleName(), DatabaseStep.describe(care.step()))))
        .orElse(null));
    Optional<List<AlarmStatus>> alarms = Alarms.of(observation.etcd());
    status.setAlarms(alarms.orElse(previous != null && previous.getAlarms() != null ? previous.getAlarms() : List.of()));
    // an operation on record stays until it ends (a pass busy with members takes no step of it); a recovery from an
    // alarm also ends with the alarm, disarmed by hand say
    if (observation.care().isPresent()) {
      status.setMaintenance(observation.care().get().running().orElse(null));
    } else if (previous != null && previous.getMaintenance() != null
        && alarmStillRaised(previous.getMaintenance().getType(), status.getAlarms())) {
      status.setMaintenance(previous.getMaintenance());
    }
    status.setLastMaintenance(observation.care().flatMap(DatabaseCare.Outcome::finished)
        .orElse(previous != null ? previous.getLastMaintenance() : null));
    status.setTls(observation.tls().map(tls -> new TlsStatus(tls.secret(), tls.expires().toString(),
        tls.caExpires().map(Instant::toString).orElse(null), tls.rotation().orElse(null)))
        .orElse(previous != null ? previous.getTls() : null));
    status.setConditions(new ConditionsJudge(observation, members, ready, status.getAlarms()).conditions());
    return status;
  }

  /** Whether the alarm an operation recovers from is still raised; true for an operation that answers no alarm. */
  private static boolean alarmStillRaised(String operation, List<AlarmStatus> alarms) {
    EtcdAlarm.Type answers = NoSpaceRecovery.TYPE.equals(operation) ? EtcdAlarm.Type.NOSPACE
        : CorruptionRecovery.TYPE.equals(operation) ? EtcdAlarm.Type.CORRUPT : null;
    return answers == null || alarms.stream().anyMatch(a -> answers.name().equals(a.getType()));
  }

  /**
   * The revision on record: the newest a member answered once it has moved {@link EtcdClusterStatus#REVISION_STEP} on
   * (or back, after a restore), else the one recorded; kept while no member answers, so a recovery from a backup
   * still restores past it.
   */
  static Long revision(Observation observation, EtcdClusterStatus previous) {
    Long recorded = previous != null ? previous.getRevision() : null;
    Optional<Long> newest = observation.etcd().flatMap(s -> s.members().stream().filter(MemberView::reachable)
        .map(MemberView::revision).filter(r -> r > 0).max(Long::compare));
    return newest.filter(r -> recorded == null || r < recorded || r >= recorded + EtcdClusterStatus.REVISION_STEP)
        .orElse(recorded);
  }

  /** Decides Available, Progressing and Degraded. */
  private static final class ConditionsJudge {

    private final Observation observation;
    private final EtcdClusterStatus previous;
    private final List<MemberStatus> members;
    private final int size;
    private final int quorum;
    private final int ready;
    /** The alarms as this status lists them: read now, or kept from the last reading. */
    private final List<AlarmStatus> alarms;
    private final boolean formed;

    ConditionsJudge(Observation observation, List<MemberStatus> members, int ready, List<AlarmStatus> alarms) {
      this.alarms = alarms;
      this.observation = observation;
      this.previous = observation.cluster().getStatus();
      this.members = members;
      this.size = observation.runningSize();
      this.quorum = Quorum.quorum(size);
      this.ready = ready;
      // once a quorum has been seen, fewer ready members is a loss, not a cluster still being created
      this.formed = ready >= quorum || Conditions.hadQuorum(previous);
    }

    List<io.fabric8.kubernetes.api.model.Condition> conditions() {
      return List.of(available(), progressing(), degraded());
    }

    private io.fabric8.kubernetes.api.model.Condition available() {
      Optional<AlarmStatus> corrupt = corrupt();
      if (corrupt.isPresent()) {
        return condition(ConditionTypes.AVAILABLE, false, Reasons.CORRUPT_ALARM, "etcd raised CORRUPT on "
            + corrupt.get().getMember() + ": the cluster takes no writes, and its members report not ready, until the"
            + " alarm is disarmed (see Degraded)");
      }
      if (ready >= quorum) {
        return condition(ConditionTypes.AVAILABLE, true, Reasons.QUORUM_AVAILABLE,
            String.format("%d of %d members ready; quorum is %d", ready, size, quorum));
      }
      if (formed) {
        String outlook = observation.quorumLoss().filter(QuorumLoss.Assessment::lost)
            .map(loss -> loss.lostForGood() ? "; quorum cannot come back by itself (see Degraded)"
                : "; waiting for members to come back with their data").orElse("");
        return condition(ConditionTypes.AVAILABLE, false, Reasons.QUORUM_LOST,
            String.format("only %d of %d members ready; etcd needs %d to serve requests%s", ready, size, quorum,
                outlook));
      }
      return condition(ConditionTypes.AVAILABLE, false, Reasons.CREATING,
          String.format("waiting for members: %d of %d ready, quorum is %d", ready, size, quorum));
    }

    private io.fabric8.kubernetes.api.model.Condition progressing() {
      if (!observation.specProblems().isEmpty()) {
        return condition(ConditionTypes.PROGRESSING, false, Reasons.INVALID_SPEC, "the spec is invalid; nothing is changed");
      }
      if (observation.tlsProblem().isPresent()) {
        return condition(ConditionTypes.PROGRESSING, false, Reasons.INVALID_TLS_SECRET,
            "the members' certificates cannot be used; nothing is changed");
      }
      if (observation.restoredInPlaceBy().isPresent()) {
        return condition(ConditionTypes.PROGRESSING, true, Reasons.RESTORING, "EtcdRestore "
            + observation.restoredInPlaceBy().get() + " restores this cluster in place: it stops the members and puts"
            + " them on record to restore its snapshot");
      }
      if (observation.cluster().getSpec().isPaused()) {
        return condition(ConditionTypes.PROGRESSING, false, Reasons.PAUSED, "spec.paused is true; nothing is changed");
      }
      if (observation.recovering().isPresent()) {
        return condition(ConditionTypes.PROGRESSING, true, Reasons.RECOVERING, observation.recovering().get());
      }
      List<String> missing = observation.missingMembers();
      if (!formed) {
        String creating = missing.isEmpty()
            ? String.format("waiting for the first quorum: %d of %d members ready", ready, size)
            : String.format("creating member pods: %d of %d exist", size - missing.size(), size);
        return condition(ConditionTypes.PROGRESSING, true, Reasons.CREATING,
            observation.waiting().map(w -> creating + "; " + w).orElse(creating));
      }
      Optional<MembershipPlanner.Step> membership = observation.membershipStep();
      if (membership.isPresent() && membership.get() instanceof MembershipPlanner.Step.Wait wait) {
        return condition(ConditionTypes.PROGRESSING, false, wait.waitsFor(), wait.reason());
      }
      if (membership.isPresent() && observation.stepRefused().isPresent()) {
        return condition(ConditionTypes.PROGRESSING, false, Reasons.MEMBERSHIP_STEP_REFUSED,
            observation.stepRefused().get());
      }
      if (membership.isPresent()) {
        String doing = MembershipPlanner.describe(membership.get());
        return condition(ConditionTypes.PROGRESSING, true, Reasons.membershipChange(membership.get().operation()),
            observation.waiting().map(w -> doing + "; " + w).orElse(doing));
      }
      Optional<DatabaseStep> care = observation.care().map(DatabaseCare.Outcome::step);
      if (care.isPresent() && care.get() instanceof DatabaseStep.Wait wait) {
        return condition(ConditionTypes.PROGRESSING, false, MembershipPlanner.WAITING_FOR_HEALTHY_MEMBERS, wait.reason());
      }
      if (care.isPresent() && care.get() instanceof DatabaseStep.DoesNotFit doesNotFit) {
        return condition(ConditionTypes.PROGRESSING, false, Reasons.DATA_DOES_NOT_FIT, doesNotFit.message());
      }
      if (care.isPresent() && care.get() instanceof DatabaseStep.CannotDecide cannotDecide) {
        return condition(ConditionTypes.PROGRESSING, false, Reasons.CORRUPTION_UNDECIDED, cannotDecide.message());
      }
      if (care.isPresent()) {
        return condition(ConditionTypes.PROGRESSING, true, Reasons.MAINTAINING, DatabaseStep.describe(care.get()));
      }
      if (observation.volumesCannotGrow().isPresent()) {
        return condition(ConditionTypes.PROGRESSING, false, Reasons.VOLUME_EXPANSION_UNSUPPORTED,
            observation.volumesCannotGrow().get());
      }
      String rollout = rolloutInProgress(missing);
      if (rollout != null) {
        return condition(ConditionTypes.PROGRESSING, true, Reasons.ROLLING_UPDATE, rollout);
      }
      return condition(ConditionTypes.PROGRESSING, false, Reasons.STABLE, "all members run the desired spec");
    }

    private io.fabric8.kubernetes.api.model.Condition degraded() {
      if (!observation.specProblems().isEmpty()) {
        return condition(ConditionTypes.DEGRADED, true, Reasons.INVALID_SPEC, String.join("; ", observation.specProblems()));
      }
      if (observation.tlsProblem().isPresent()) {
        return condition(ConditionTypes.DEGRADED, true, Reasons.INVALID_TLS_SECRET, observation.tlsProblem().get());
      }
      if (observation.reconcileError().isPresent()) {
        return condition(ConditionTypes.DEGRADED, true, Reasons.RECONCILE_ERROR, observation.reconcileError().get());
      }
      if (observation.model().rolledBackUpgrade().isPresent()) {
        return condition(ConditionTypes.DEGRADED, true, Reasons.UPGRADE_ROLLED_BACK, "the upgrade to etcd "
            + observation.model().declaredVersion() + " was rolled back: " + observation.model().rolledBackUpgrade().get()
            + "; set another version to try again");
      }
      List<String> initFailures = observation.initFailures();
      if (!initFailures.isEmpty()) {
        return condition(ConditionTypes.DEGRADED, true, Reasons.MEMBER_INIT_FAILED,
            "members cannot prepare their data: " + String.join("; ", initFailures));
      }
      if (!formed) {
        return condition(ConditionTypes.DEGRADED, false, Reasons.CREATING, "the cluster is being created");
      }
      // CORRUPT first: under it every member reports not ready, which is not a loss of quorum
      Optional<AlarmStatus> corrupt = corrupt();
      if (corrupt.isPresent()) {
        return condition(ConditionTypes.DEGRADED, true, Reasons.CORRUPT_ALARM, Alarms.describe(corrupt.get())
            + othersRaised(corrupt.get()));
      }
      // as Available says: fewer members ready than a quorum (a member the operator cannot reach may still serve)
      Optional<QuorumLoss.Assessment> quorumLoss = observation.quorumLoss().filter(QuorumLoss.Assessment::lost)
          .filter(loss -> ready < quorum);
      if (quorumLoss.isPresent()) {
        return condition(ConditionTypes.DEGRADED, true, Reasons.QUORUM_LOST, quorumLoss.get().summary());
      }
      if (ready < quorum) {
        return condition(ConditionTypes.DEGRADED, true, Reasons.QUORUM_LOST,
            String.format("%d of %d members ready, below the quorum of %d; not ready: %s",
                ready, size, quorum, notReady()));
      }
      if (!alarms.isEmpty()) {
        // NOSPACE: CORRUPT was said above
        AlarmStatus first = alarms.get(0);
        return condition(ConditionTypes.DEGRADED, true, Alarms.reason(first), Alarms.describe(first)
            + othersRaised(first));
      }
      if (ready < size) {
        return condition(ConditionTypes.DEGRADED, true, Reasons.MEMBERS_UNAVAILABLE,
            String.format("%d of %d members ready (not ready: %s); %d more failure(s) tolerated",
                ready, size, notReady(), Quorum.faultTolerance(ready, size)));
      }
      return condition(ConditionTypes.DEGRADED, false, Reasons.ALL_MEMBERS_READY,
          String.format("all %d members ready", size));
    }

    /** The first CORRUPT alarm raised, if any: it stops every write, and every member's readiness. */
    private Optional<AlarmStatus> corrupt() {
      return alarms.stream().filter(a -> EtcdAlarm.Type.CORRUPT.name().equals(a.getType())).findFirst();
    }

    private String othersRaised(AlarmStatus first) {
      return alarms.size() == 1 ? "" : "; raised too: " + String.join(", ", alarms.stream()
          .filter(a -> a != first).map(a -> a.getType() + " on " + a.getMember()).toList());
    }

    /** What is changing in the members, or null when nothing is. */
    private String rolloutInProgress(List<String> missing) {
      List<String> outdated = observation.outdatedMembers();
      String waiting = observation.waiting().map(w -> "; " + w).orElse("");
      if (!outdated.isEmpty()) {
        return String.format("rolling out the current spec: %d of %d members updated (next: %s)%s",
            size - outdated.size() - missing.size(), size, String.join(", ", outdated), waiting);
      }
      if (!missing.isEmpty()) {
        return "recreating the pods of " + String.join(", ", missing) + waiting;
      }
      return observation.waiting().orElse(null);
    }

    private String notReady() {
      List<String> names = members.stream().filter(m -> !m.isReady())
          .map(m -> m.getName() + (m.getReason() == null ? "" : " (" + m.getReason() + ")")).toList();
      int missing = size - members.size();
      String listed = String.join(", ", names);
      if (missing > 0) {
        listed = listed.isEmpty() ? missing + " missing" : listed + " and " + missing + " missing";
      }
      return listed.isEmpty() ? "none" : listed;
    }

    private io.fabric8.kubernetes.api.model.Condition condition(String type, boolean value, String reason, String message) {
      return Conditions.of(previous, type, value, reason, message,
          observation.cluster().getMetadata().getGeneration(), observation.now());
    }
  }
}
