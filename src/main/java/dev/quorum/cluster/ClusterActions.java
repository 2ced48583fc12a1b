package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.cluster.ClusterPlanner.Course;
import dev.quorum.config.QuorumConfig;
import dev.quorum.membership.DowngradePlan;
import dev.quorum.membership.MembershipPlanner;
import dev.quorum.membership.UpgradeGuard;
import dev.quorum.model.Annotations;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.EtcdVersion;
import dev.quorum.model.PodReadiness;
import dev.quorum.specs.MembersConfigMapBuilder;
import dev.quorum.specs.RestoreContainers;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Carries out the course {@link ClusterPlanner} decided for a pass. Converging goes in the order members need: the
 * Services and certificates before any member, the founding records before any pod, then the one membership step,
 * the missing claims and pods, the upgrade's notes, one member's restart (only while the membership is settled: one
 * change to the members at a time), the disruption budget; then the restore's and the backup schedule's bookkeeping.
 */
final class ClusterActions {

  private static final Logger LOG = Logger.getLogger(ClusterActions.class);

  private final ChildResources children;
  private final SupportingObjects supporting;
  private final MembershipSteps membershipSteps;
  private final DatabaseCare care;
  private final DowngradeSteps downgrades;
  private final VolumeExpansion volumes;
  private final MemberReplacement replacement;
  private final RecoveryActions recoveries;
  private final ClusterEvents events;
  private final Duration upgradeHealthTimeout;
  private final boolean memberPodMonitors;

  ClusterActions(QuorumConfig config, ChildResources children, ClusterViewSource etcd, ClusterEvents events) {
    this.children = children;
    this.events = events;
    this.supporting = new SupportingObjects(children);
    this.membershipSteps = new MembershipSteps(children, etcd, events, config.membership().haltAfterStep());
    this.replacement = new MemberReplacement(children, membershipSteps, events);
    this.care = new DatabaseCare(etcd, events, config.etcd().defragmentTimeout());
    this.downgrades = new DowngradeSteps(etcd, events);
    this.volumes = new VolumeExpansion(children, events);
    this.recoveries = new RecoveryActions(children, events, config.recovery().haltAfterStep());
    this.upgradeHealthTimeout = config.membership().upgradeHealthTimeout();
    this.memberPodMonitors = config.metrics().memberPodMonitors();
  }

  /** @throws RuntimeException when a call fails: the pass reports it, and the next one decides again */
  PassOutcome act(ClusterPass pass, Course course) {
    EtcdCluster cluster = pass.cluster();
    EtcdClusterModel model = pass.model();
    if (course instanceof Course.Unread unread) {
      throw unread.failure();
    }
    if (course instanceof Course.InvalidSpec invalid) {
      if (events.invalidSpec(cluster, invalid.problems())) {
        LOG.warnf("%s has an invalid spec, nothing is created: %s", model.key(), pass.problems());
      }
    } else if (course instanceof Course.UnusableTlsSecret tls) {
      if (events.invalidTlsSecret(cluster, tls.problem())) {
        LOG.warnf("%s: %s", model.key(), tls.problem());
      }
      if (tls.keepCertificate()) {
        supporting.keepCertificate(model);
      }
    } else if (course instanceof Course.HeldByRestore held) {
      LOG.debugf("%s: EtcdRestore %s holds the members", model.key(), held.restore());
      recoveries.report(pass, held.recovery());
    } else if (course instanceof Course.Recover recover) {
      return recoveries.recover(pass, recover);
    } else if (course instanceof Course.Converge converge) {
      recoveries.report(pass, converge.recovery());
      PassOutcome outcome = converge(pass, converge);
      forgetRestoreOnceInstalled(pass);
      supporting.backupSchedule(model, pass.backupSchedules());
      return outcome;
    }
    return PassOutcome.NOTHING;
  }

  private PassOutcome converge(ClusterPass pass, Course.Converge plan) {
    EtcdClusterModel model = pass.model();
    supporting.services(model, pass.pods(), pass.etcd());
    if (pass.tls().isPresent()) {
      supporting.certificates(model, pass.tls().get());
      if (pass.tls().get().pending().isPresent()) {
        return PassOutcome.waiting(pass.tls().get().pending());
      }
    }
    if (pass.records().isEmpty()) {
      // founding members are on record before any of their pods exists; never rewritten afterwards
      children.apply(List.of(MembersConfigMapBuilder.build(model)));
    }
    supporting.nodeAgent(model, pass.configMaps());

    plan.askRecovery().ifPresent(recovery -> {
      children.create(List.of(recovery));
      events.warning(pass.cluster(), "RecoveryRequested", "quorum lost since " + pass.quorumLostSince().orElseThrow()
          + ", longer than spec.quorumLoss.after: created EtcdRecovery " + recovery.getMetadata().getName()
          + " from " + recovery.getSpec().getFrom());
    });
    plan.quorumLoss().ifPresentOrElse(loss -> {
      if (events.quorumLost(pass.cluster(), loss.summary())) {
        LOG.warnf("%s lost its quorum: %s", model.key(), loss.summary());
      }
    }, () -> events.quorumHeld(pass.cluster()));
    MembershipPlanner.Plan membership = plan.membership();
    Optional<String> membershipWaits = membership.step().flatMap(step ->
        membershipSteps.apply(model, pass.records(), pass.pods(), pass.claims(), pass.etcd(), step));
    if (membership.step().isEmpty()) {
      membershipSteps.settled(model);
    }
    children.create(plan.createClaims());
    List<Pod> createPods = plan.createPods();
    Optional<String> starting = Optional.empty();
    if (model.staticPods()) {
      StaticPodMembers.Start start = StaticPodMembers.toStart(model, createPods, pass.configMaps(), pass.cachedPods());
      children.create(start.fetchPods());
      children.apply(start.manifests());
      createPods = start.manifests().isEmpty() && start.fetchPods().isEmpty() ? List.of() : createPods;
      starting = start.waiting().isEmpty() ? Optional.empty() : Optional.of(String.join("; ", start.waiting()));
    } else {
      children.create(createPods);
    }
    plan.upgradeNote().ifPresent(note -> noteUpgrade(model, note));
    // the roll waits for it (ClusterPlanner holds the member's restart back); taken while the membership is settled
    Optional<String> downgradeRefused = membership.busy() ? Optional.empty()
        : plan.downgrade().flatMap(step -> downgrades.apply(pass, step));
    boolean downgradeActed = !membership.busy() && downgradeRefused.isEmpty()
        && plan.downgrade().filter(step -> !(step instanceof DowngradePlan.Step.Wait)).isPresent();
    boolean replaced = !membership.busy()
        && plan.rollout().replace().map(r -> replacement.replace(pass, r)).orElse(false);
    supporting.disruptionBudget(model);
    if (memberPodMonitors) {
      supporting.memberPodMonitor(model).ifPresent(why -> {
        if (events.podMonitorsUnavailable(pass.cluster(), why)) {
          LOG.warnf("%s: %s", model.key(), why);
        }
      });
    }

    String waits = String.join("; ", Stream.of(membershipWaits, plan.rollout().waiting(), downgradeRefused, starting,
        plan.rotation()).flatMap(Optional::stream).toList());
    boolean acted = replaced || membership.busy() || !plan.createClaims().isEmpty() || !createPods.isEmpty()
        || downgradeActed;
    care.reportNewAlarms(pass);
    Optional<DatabaseCare.Outcome> cared = replaced ? Optional.empty()
        : plan.care().map(step -> care.apply(pass, step));
    return new PassOutcome(acted, waits.isEmpty() ? Optional.empty() : Optional.of(waits), membership.step(),
        membershipSteps.repeatedRefusal(model).map(RepeatedRefusals.Refusal::message), Optional.empty())
        .withCare(cared).withVolumes(volumes.apply(pass));
  }

  /** Writes the upgrade's notes on the EtcdCluster, and tells the user. */
  private void noteUpgrade(EtcdClusterModel model, UpgradeGuard.Note note) {
    EtcdCluster cluster = model.resource();
    if (note instanceof UpgradeGuard.Note.Cleared) {
      children.removeAnnotation(cluster, Annotations.UPGRADE_ROLLED_BACK);
      children.removeAnnotation(cluster, Annotations.UPGRADE_FROM);
    } else if (note instanceof UpgradeGuard.Note.Started started) {
      children.annotate(cluster, Annotations.UPGRADE_FROM, started.from());
      boolean back = EtcdVersion.parse(model.version()).flatMap(to -> EtcdVersion.parse(started.from())
          .map(from -> to.compareTo(from) < 0)).orElse(false);
      events.normal(cluster, Reasons.UPGRADE_STARTED, (back ? "downgrading" : "upgrading") + " the members from etcd "
          + started.from() + " to " + model.version() + ", one at a time, the leader last");
    } else if (note instanceof UpgradeGuard.Note.Completed) {
      children.removeAnnotation(cluster, Annotations.UPGRADE_FROM);
      events.normal(cluster, Reasons.UPGRADE_COMPLETED, "every member runs etcd " + model.version());
    } else if (note instanceof UpgradeGuard.Note.RolledBack rolledBack) {
      String why = String.format("%s did not become ready on etcd %s within %ds (%s); the members go back to %s",
          rolledBack.failure().member(), model.version(), upgradeHealthTimeout.toSeconds(),
          rolledBack.failure().reason(), rolledBack.from());
      LOG.warnf("%s: upgrade rolled back: %s", model.key(), why);
      children.annotate(cluster, Annotations.UPGRADE_ROLLED_BACK, model.declaredVersion() + ": " + why);
      events.warning(cluster, Reasons.UPGRADE_ROLLED_BACK, why);
    }
  }

  /**
   * Once every member's pod has installed the restored data and is ready, the snapshot leaves the records: pods
   * created later start from their data like any member's, without restore containers (which are not part of the
   * shape, so running pods are not rolled for it). etcd's member list cannot tell: a restored membership names
   * every member before any of them has run.
   */
  private void forgetRestoreOnceInstalled(ClusterPass pass) {
    EtcdClusterModel model = pass.model();
    if (!pass.records().restoring() || !pass.records().unreadable().isEmpty()) {
      return;
    }
    boolean allInstalled = PodReadiness.everyMemberReady(model.members(), pass.pods(),
        (member, p) -> RestoreContainers.installed(p, model.claimName(member)));
    if (allInstalled) {
      children.apply(List.of(MembersConfigMapBuilder.build(model, pass.records().restored())));
      if (model.staticPods()) {
        StaticPodMembers.fetchPods(model, pass.cachedPods()).forEach(children::delete);
      }
      LOG.infof("%s: every member runs on its restored data; the snapshot leaves the members' records", model.key());
    }
  }
}
