package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.EtcdRecoveryStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.MemberBootstrap;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.recovery.BackupRecovery;
import dev.quorum.recovery.RecoveryPlanner;
import dev.quorum.recovery.RecoveryPlanner.Decision;
import dev.quorum.recovery.SurvivorRecovery.Step;
import dev.quorum.specs.MembersConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Carries out what {@link RecoveryPlanner} decided: a survivor's step on the members, and each EtcdRecovery's status
 * (written only when it changes), with an event on the cluster for each step.
 */
final class RecoveryActions {

  private static final Logger LOG = Logger.getLogger(RecoveryActions.class);

  private final ChildResources children;
  private final ClusterEvents events;
  private final StepFailpoint haltAfterStep;

  RecoveryActions(ChildResources children, ClusterEvents events, Optional<String> haltAfterStep) {
    this.children = children;
    this.events = events;
    this.haltAfterStep = new StepFailpoint("quorum.recovery.halt-after-step", haltAfterStep);
  }

  /** The recovery holding the members: its status first (a beginning is on record before anything changes). */
  PassOutcome recover(ClusterPass pass, ClusterPlanner.Course.Recover course) {
    report(pass, course.recovery());
    Decision decision = course.recovery().get(0);
    if (!(decision instanceof Decision.Proceed proceed)) {
      return PassOutcome.recovering(false, describe(decision));
    }
    boolean acted = step(pass.model(), pass.records(), proceed.plan().step());
    if (pass.model().staticPods()) {
      // the survivor's manifest, should its ConfigMap be gone: a static pod starts from one
      children.apply(StaticPodMembers.toStart(pass.model(), course.createPods(), pass.configMaps(),
          pass.cachedPods()).manifests());
    } else {
      children.create(course.createPods());
    }
    return PassOutcome.recovering(acted || !course.createPods().isEmpty(), describe(decision));
  }

  /** Each decision's status on its EtcdRecovery, and its event. */
  void report(ClusterPass pass, List<Decision> decisions) {
    for (Decision decision : decisions) {
      EtcdRecovery recovery = decision.recovery();
      EtcdRecoveryStatus status = recovery.getStatus() == null ? new EtcdRecoveryStatus()
          : Serialization.clone(recovery.getStatus());
      EtcdRecoveryStatus before = Serialization.clone(status);
      String now = pass.now().toString();
      status.setObservedGeneration(recovery.getMetadata().getGeneration());
      if (decision instanceof Decision.Refuse refuse) {
        finish(status, OperationPhase.Failed, refuse.reason(), refuse.message(), now);
      } else if (decision instanceof Decision.Pending pending) {
        status.setPhase(OperationPhase.Pending);
        status.setReason(pending.reason());
        status.setMessage(pending.message());
      } else if (decision instanceof Decision.BeginFromBackup begin) {
        status.setPhase(OperationPhase.Running);
        status.setReason(BackupRecovery.RECOVERING);
        status.setMessage("recovering from EtcdBackup " + begin.backup() + " through EtcdRestore " + begin.restore()
            + ": " + begin.loss());
        status.setBackup(begin.backup());
        status.setRestore(begin.restore());
        status.setRecoveredRevision(begin.revision());
        status.setLoss(begin.loss());
        status.setStartTime(now);
      } else if (decision instanceof Decision.NextBackup next) {
        status.setMessage("EtcdBackup " + status.getBackup() + " is passed over, its object failed the check; trying "
            + next.backup() + " through EtcdRestore " + next.restore() + ": " + next.loss());
        status.setSkippedBackups(next.passedOver());
        status.setBackup(next.backup());
        status.setRestore(next.restore());
        status.setRecoveredRevision(next.revision());
        status.setLoss(next.loss());
      } else if (decision instanceof Decision.Restore restore) {
        status.setMessage("creating EtcdRestore " + restore.restore().getMetadata().getName() + " of EtcdBackup "
            + status.getBackup());
      } else if (decision instanceof Decision.Begin begin) {
        status.setPhase(OperationPhase.Running);
        status.setReason(RecoveryPlanner.RECOVERING);
        status.setMessage("recovering from " + begin.survivor().name() + ": " + begin.loss());
        status.setSurvivor(begin.survivor().name());
        status.setSurvivorRaftIndex(begin.survivor().raftIndex());
        status.setRecoveredRevision(begin.survivor().revision());
        status.setLoss(begin.loss());
        status.setSetAsideClaims(begin.setAsideClaims());
        status.setHandedOver(false);
        status.setStartTime(now);
      } else if (decision instanceof Decision.Proceed proceed) {
        status.setMessage(describe(proceed));
      } else if (decision instanceof Decision.HandOver) {
        status.setHandedOver(true);
        status.setReason(RecoveryPlanner.REJOINING);
        status.setMessage(status.getSurvivor() + " runs alone; the other members rejoin one at a time, learner first");
      } else if (decision instanceof Decision.Follow follow) {
        status.setMessage(follow.message());
      } else if (decision instanceof Decision.Finish finish) {
        finish(status, OperationPhase.Succeeded, RecoveryPlanner.RECOVERED, finish.message(), now);
        status.setMembers(finish.members());
      } else if (decision instanceof Decision.Fail fail) {
        finish(status, OperationPhase.Failed, fail.reason(), fail.message(), now);
      }
      holdWhileBegun(recovery, decision);
      if (!Objects.equals(Serialization.asJson(before), Serialization.asJson(status))) {
        EtcdRecovery written = Serialization.clone(recovery);
        written.setStatus(status);
        children.patchStatus(written);
        announce(pass, decision, status);
      }
      if (decision instanceof Decision.Restore restore) {
        // named in the status when the recovery began (or moved to this backup): made after, so a restart makes it
        children.create(List.of(restore.restore()));
        normal(pass.cluster(), "RecoveryRestoring", "EtcdRecovery " + recovery.getMetadata().getName()
            + ": created EtcdRestore " + restore.restore().getMetadata().getName() + " to restore EtcdBackup "
            + status.getBackup() + " in place");
      }
    }
  }

  /**
   * The recovery cannot be deleted from its beginning until it has handed the members over (or ended); one from a
   * backup, until its restore has ended.
   */
  private void holdWhileBegun(EtcdRecovery recovery, Decision decision) {
    boolean hold = decision instanceof Decision.Begin || decision instanceof Decision.Proceed
        || decision instanceof Decision.BeginFromBackup || decision instanceof Decision.NextBackup
        || decision instanceof Decision.Restore
        || (decision instanceof Decision.Follow && BackupRecovery.begun(recovery));
    boolean held = recovery.hasFinalizer(EtcdRecovery.IN_PROGRESS_FINALIZER);
    if (hold != held && !(hold && recovery.getMetadata().getDeletionTimestamp() != null)) {
      children.finalizer(recovery, EtcdRecovery.IN_PROGRESS_FINALIZER, hold);
    }
  }

  private void announce(ClusterPass pass, Decision decision, EtcdRecoveryStatus status) {
    String name = "EtcdRecovery " + decision.recovery().getMetadata().getName();
    if (decision instanceof Decision.Refuse refuse) {
      events.recoveryRefused(decision.recovery(), refuse.reason(), refuse.message());
    } else if (decision instanceof Decision.Begin || decision instanceof Decision.BeginFromBackup) {
      warning(pass.cluster(), "RecoveryStarted", name + ": " + status.getMessage());
      LOG.warnf("%s: %s began: %s", pass.model().key(), name, status.getMessage());
    } else if (decision instanceof Decision.NextBackup) {
      warning(pass.cluster(), "RecoveryBackupPassedOver", name + ": " + status.getMessage());
      LOG.warnf("%s: %s: %s", pass.model().key(), name, status.getMessage());
    } else if (decision instanceof Decision.HandOver) {
      normal(pass.cluster(), "RecoveryHandedOver", name + ": " + status.getMessage());
    } else if (decision instanceof Decision.Finish) {
      normal(pass.cluster(), RecoveryPlanner.RECOVERED, name + ": " + status.getMessage());
    } else if (decision instanceof Decision.Fail fail) {
      warning(pass.cluster(), fail.reason(), name + ": " + fail.message());
    }
  }

  /** Every step's event, then the failpoint. */
  private void normal(EtcdCluster about, String reason, String message) {
    events.normal(about, reason, message);
    haltAfterStep.after(reason);
  }

  private void warning(EtcdCluster about, String reason, String message) {
    events.warning(about, reason, message);
    haltAfterStep.after(reason);
  }

  private static void finish(EtcdRecoveryStatus status, OperationPhase phase, String reason, String message,
      String now) {
    status.setPhase(phase);
    status.setReason(reason);
    status.setMessage(message);
    status.setCompletionTime(now);
  }

  /** @return whether anything was changed */
  private boolean step(EtcdClusterModel model, MemberBootstrapRecords records, Step step) {
    if (step instanceof Step.StopOthers stop) {
      stop.pods().forEach(children::deleteNow);
      stop.manifests().forEach(member -> children.delete(ConfigMap.class, model.namespace(),
          model.staticPod().manifestConfigMap(member)));
      List<String> stopped = Stream.concat(stop.pods().stream().map(p -> p.getMetadata().getName()),
          stop.manifests().stream()).distinct().sorted().toList();
      normal(model.resource(), "RecoveryStoppedMembers", "stopped the other members, their data set aside: "
          + String.join(", ", stopped) + (model.staticPods() ? " (their manifests taken away; their data directories"
              + " stay on their nodes, unused)" : ""));
      return true;
    }
    if (step instanceof Step.Force force) {
      record(model, records, force.survivor(), force.forced());
      normal(model.resource(), "RecoveryForcingNewCluster", force.survivor()
          + " is to start once with --force-new-cluster, as a one-member cluster of its own data");
      return true;
    }
    if (step instanceof Step.Unforce unforce) {
      record(model, records, unforce.survivor(), unforce.unforced());
      normal(model.resource(), "RecoverySurvivorAlone", unforce.survivor()
          + " runs as a one-member cluster; --force-new-cluster comes off its record");
      return true;
    }
    if (step instanceof Step.RestartSurvivor restart) {
      if (model.staticPods()) {
        // the kubelet restarts a static pod whose manifest changed (written again, it does not)
        StaticPodMembers.restarted(model, restart.pod()).ifPresent(manifest -> children.apply(List.of(manifest)));
      } else {
        children.delete(restart.pod());
      }
      return true;
    }
    if (step instanceof Step.SetAside aside) {
      aside.claims().forEach(children::delete);
      normal(model.resource(), "RecoveryClaimsSetAside", "deleted the old claims of the other members: "
          + String.join(", ", aside.claims().stream().map(c -> c.getMetadata().getName()).sorted().toList()));
      return true;
    }
    return false;
  }

  private void record(EtcdClusterModel model, MemberBootstrapRecords records, String member,
      MemberBootstrap bootstrap) {
    children.apply(List.of(MembersConfigMapBuilder.build(model, records.with(member, bootstrap))));
  }

  static String describe(Decision decision) {
    String name = "EtcdRecovery " + decision.recovery().getMetadata().getName();
    if (decision instanceof Decision.Proceed proceed) {
      Step step = proceed.plan().step();
      String doing = step instanceof Step.StopOthers ? "stopping the other members"
          : step instanceof Step.Force force ? "putting --force-new-cluster on " + force.survivor() + "'s record"
          : step instanceof Step.Unforce unforce ? "taking --force-new-cluster off " + unforce.survivor() + "'s record"
          : step instanceof Step.RestartSurvivor restart ? "restarting " + restart.pod().getMetadata().getName() + " "
              + restart.why()
          : step instanceof Step.SetAside ? "deleting the other members' old claims"
          : step instanceof Step.Wait wait ? wait.reason()
          : step.getClass().getSimpleName();
      return name + " recovers the cluster from " + decision.recovery().getStatus().getSurvivor() + ": " + doing;
    }
    if (decision instanceof Decision.Begin begin) {
      return name + " begins from " + begin.survivor().name() + ": " + begin.loss();
    }
    return name + ": the survivor runs alone; the other members rejoin";
  }
}
