package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdBackupSchedule;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.config.QuorumConfig;
import dev.quorum.etcd.ClusterSnapshot;
import dev.quorum.membership.MemberReplacement;
import dev.quorum.model.RestoreSource;
import dev.quorum.restore.RestoreSources;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.OperatorSettings;
import dev.quorum.specs.BackupScheduleBuilder;
import dev.quorum.specs.ClientServiceBuilder;
import dev.quorum.specs.MembersConfigMapBuilder;
import dev.quorum.specs.PeerServiceBuilder;
import dev.quorum.specs.PodDisruptionBudgetBuilder;
import dev.quorum.specs.RestoreContainers;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.quarkiverse.operatorsdk.annotations.RBACVerbs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Keeps an EtcdCluster's Services, members ConfigMap, member claims and pods, and PodDisruptionBudget as its
 * spec says, and reports what etcd and Kubernetes show in its status. Deletion is left to the garbage
 * collector through owner references, so there is no finalizer.
 */
@ControllerConfiguration(name = EtcdClusterReconciler.NAME, fieldManager = QuorumConfig.FIELD_MANAGER)
// Services, the budget and the members ConfigMap are server-side applied (patch; create for the first apply).
@RBACRule(apiGroups = "", resources = "services", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH})
@RBACRule(apiGroups = "", resources = "configmaps", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH})
@RBACRule(apiGroups = "policy", resources = "poddisruptionbudgets", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH})
// Member pods are created and, to roll or replace one, deleted; claims are only created (deleted by the GC, or kept).
@RBACRule(apiGroups = "", resources = "pods", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.DELETE})
// A ready member is restarted through the Eviction API, so the disruption budget arbitrates against drains.
@RBACRule(apiGroups = "", resources = "pods/eviction", verbs = {RBACVerbs.CREATE})
@RBACRule(apiGroups = "", resources = "persistentvolumeclaims", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE})
@RBACRule(apiGroups = "", resources = "events", verbs = {RBACVerbs.CREATE})
// The EtcdBackupSchedule of an inline spec.backup, deleted when spec.backup goes.
// A cluster bootstrapped from an EtcdBackup reads where its object is; one held by an EtcdRestore checks it still runs.
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdbackups", verbs = {RBACVerbs.GET})
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdrestores", verbs = {RBACVerbs.GET})
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdbackupschedules", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH, RBACVerbs.DELETE})
public class EtcdClusterReconciler implements Reconciler<EtcdCluster> {

  public static final String NAME = "etcdcluster";
  private static final Logger LOG = Logger.getLogger(EtcdClusterReconciler.class);
  private static final Duration RETRY_AFTER_ERROR = Duration.ofSeconds(10);
  /** While members are being created or rolled, look again soon even if no event arrives. */
  private static final Duration RECHECK_WHILE_CHANGING = Duration.ofSeconds(2);

  private final QuorumConfig config;
  private final OperatorSettings settings;
  private final ChildResources children;
  private final MemberStatusSource memberStatus;
  private final ClusterEvents events;
  private final RestoreSources restoreSources;
  private final MembershipSteps membershipSteps;

  public EtcdClusterReconciler(QuorumConfig config, ChildResources children, MemberStatusSource memberStatus,
      ClusterEvents events, RestoreSources restoreSources) {
    this.restoreSources = restoreSources;
    this.membershipSteps = new MembershipSteps(children, memberStatus, events, OperatorSettings.from(config),
        config.membership().haltAfterStep());
    this.config = config;
    this.settings = OperatorSettings.from(config);
    this.children = children;
    this.memberStatus = memberStatus;
    this.events = events;
  }

  @Override
  public List<EventSource<?, EtcdCluster>> prepareEventSources(EventSourceContext<EtcdCluster> context) {
    return ChildEventSources.all(context);
  }

  @Override
  public UpdateControl<EtcdCluster> reconcile(EtcdCluster cluster, Context<EtcdCluster> context) {
    MemberBootstrapRecords records = records(cluster, context);
    List<String> problems = new ArrayList<>(SpecValidator.problems(cluster.getSpec(), records));
    Optional<RestoreSource> foundingRestore = Optional.empty();
    if (records.isEmpty() && cluster.getSpec().getBootstrap() != null) {
      // resolved once, when the founding members go on record; the records keep it from then on
      RestoreSources.Resolution resolution = restoreSources.resolve(cluster.getMetadata().getNamespace(),
          cluster.getSpec().getBootstrap().getRestore());
      foundingRestore = resolution.source();
      if (foundingRestore.isEmpty()) {
        problems.add("spec.bootstrap.restore: " + resolution.message());
      }
    }
    EtcdClusterModel model = EtcdClusterModel.of(cluster, settings, records, foundingRestore);
    // pods of a deleted namesake may linger until the garbage collector takes them: not this cluster's members
    List<Pod> pods = context.getSecondaryResources(Pod.class).stream().filter(p -> controlledBy(p, cluster)).toList();
    List<PersistentVolumeClaim> claims = new ArrayList<>(context.getSecondaryResources(PersistentVolumeClaim.class));
    // etcd is asked before deciding, so a roll knows the leader and leaves it for last
    Optional<ClusterSnapshot> etcd = memberStatus.read(model, pods);
    boolean formed = etcd.isPresent() || (cluster.getStatus() != null && cluster.getStatus().getClusterID() != null);
    if (records.isEmpty() && (formed || !pods.isEmpty())) {
      problems.add("the members ConfigMap " + model.membersConfigMap() + " is missing, but the cluster has members:"
          + " the operator does not guess how they were bootstrapped; restore the ConfigMap (each member's"
          + " initial-cluster, initial-cluster-state and initial-cluster-token, as its pod's etcd flags show them)");
    }
    Optional<String> error = Optional.empty();
    Outcome outcome = Outcome.NOTHING;
    Optional<String> restoredBy = Optional.empty();
    try {
      restoredBy = restoreInProgress(cluster);
      if (!problems.isEmpty()) {
        if (events.invalidSpec(cluster, String.join("; ", problems))) {
          LOG.warnf("%s has an invalid spec, nothing is created: %s", model.key(), problems);
        }
      } else if (restoredBy.isPresent()) {
        LOG.debugf("%s: EtcdRestore %s holds the members", model.key(), restoredBy.get());
      } else if (!cluster.getSpec().isPaused()) {
        outcome = converge(model, records, pods, claims, etcd, formed);
        forgetRestoreOnceInstalled(model, records, pods);
        keepBackupSchedule(model, context);
      }
    } catch (ForeignObjectException e) {
      LOG.warnf("reconciling %s: %s", model.key(), e.getMessage());
      error = Optional.of(e.getMessage());
    } catch (RuntimeException e) {
      // one broken cluster must not stop the others: report it and try again soon
      LOG.warnf(e, "reconciling %s failed", model.key());
      error = Optional.of("applying the desired objects failed: " + e.getMessage());
    }
    try {
      Observation observation = new Observation(model, records, pods, etcd, problems, error, outcome.waiting(),
          Instant.now(), restoredBy);
      EtcdClusterStatus status = StatusAggregator.aggregate(observation);
      return statusUpdate(cluster, status, context).rescheduleAfter(nextCheck(observation, outcome));
    } catch (RuntimeException e) {
      LOG.errorf(e, "computing the status of %s failed", model.key());
      return UpdateControl.<EtcdCluster>noUpdate().rescheduleAfter(RETRY_AFTER_ERROR);
    }
  }

  /** What one pass did: whether it changed any member, and why a change waits, if one does. */
  private record Outcome(boolean acted, Optional<String> waiting) {
    static final Outcome NOTHING = new Outcome(false, Optional.empty());
  }

  private Outcome converge(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      List<PersistentVolumeClaim> claims, Optional<ClusterSnapshot> etcd, boolean formed) {
    Optional<String> leader = etcd.flatMap(ClusterSnapshot::leaderName);
    // the peer Service first: members resolve each other through it as soon as they start
    children.apply(List.of(PeerServiceBuilder.build(model), ClientServiceBuilder.build(model)));
    if (records.isEmpty()) {
      // founding members are on record before any of their pods exists; never rewritten afterwards
      children.apply(List.of(MembersConfigMapBuilder.build(model)));
    }
    // a member whose data is gone rejoins as a new member first; its pod waits until the membership expects it
    MemberReplacement.Plan membership = MemberReplacement.plan(model, records, pods, claims, etcd);
    Optional<String> membershipWaits = membership.step()
        .flatMap(step -> membershipSteps.apply(model, records, pods, step));
    MemberRollout.Plan plan = MemberRollout.plan(model, pods, claims, leader, formed);
    List<PersistentVolumeClaim> createClaims = plan.createClaims().stream()
        .filter(c -> !membership.holdBack().contains(c.getMetadata().getLabels().get(Labels.MEMBER))).toList();
    List<Pod> createPods = plan.createPods().stream()
        .filter(p -> !membership.holdBack().contains(p.getMetadata().getName())).toList();
    children.create(createClaims);
    children.create(createPods);
    boolean replaced = plan.replace().map(r -> replace(model, claims, leader, formed, r)).orElse(false);
    children.apply(List.of(PodDisruptionBudgetBuilder.build(model)));
    Optional<String> waiting = membershipWaits.isPresent() && plan.waiting().isPresent()
        ? Optional.of(membershipWaits.get() + "; " + plan.waiting().get())
        : membershipWaits.or(plan::waiting);
    boolean acted = replaced || membership.step().isPresent() || !createClaims.isEmpty() || !createPods.isEmpty();
    return new Outcome(acted, waiting);
  }

  /**
   * The EtcdRestore restoring this cluster in place, if one is (its annotation on the cluster). An annotation left by
   * a restore that was deleted or has finished is removed, so a cluster is never held by nobody.
   */
  private Optional<String> restoreInProgress(EtcdCluster cluster) {
    Map<String, String> annotations = cluster.getMetadata().getAnnotations();
    String restore = annotations == null ? null : annotations.get(Labels.RESTORE_IN_PROGRESS_ANNOTATION);
    if (restore == null) {
      return Optional.empty();
    }
    if (children.restoreRunning(cluster.getMetadata().getNamespace(), restore)) {
      return Optional.of(restore);
    }
    LOG.infof("%s/%s: EtcdRestore %s is gone or finished; the cluster is no longer held for it",
        cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), restore);
    children.removeAnnotation(cluster, Labels.RESTORE_IN_PROGRESS_ANNOTATION);
    return Optional.empty();
  }

  /**
   * Once every member's pod has installed the restored data and is ready, the snapshot leaves the records: pods
   * created later start from their data like any member's, without restore containers (which are not part of the
   * shape, so running pods are not rolled for it). etcd's member list cannot tell: a restored membership names
   * every member before any of them has run.
   */
  private void forgetRestoreOnceInstalled(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods) {
    if (!records.restoring() || !records.unreadable().isEmpty()) {
      return;
    }
    boolean allInstalled = model.members().stream().allMatch(member -> pods.stream()
        .filter(p -> member.name().equals(p.getMetadata().getName()))
        .anyMatch(p -> PodReadiness.ready(p) && RestoreContainers.installed(p, model.claimName(member))));
    if (allInstalled) {
      EtcdClusterModel restored = EtcdClusterModel.of(model.resource(), settings, records.restored());
      children.apply(List.of(MembersConfigMapBuilder.build(restored)));
      LOG.infof("%s: every member runs on its restored data; the snapshot leaves the members' records", model.key());
    }
  }

  /**
   * Keeps the EtcdBackupSchedule of the inline {@code spec.backup} as declared, and deletes it when the declaration
   * goes. A schedule of that name the cluster does not own (a user's) is left alone and reported.
   */
  private void keepBackupSchedule(EtcdClusterModel model, Context<EtcdCluster> context) {
    Optional<EtcdBackupSchedule> owned = context.getSecondaryResources(EtcdBackupSchedule.class).stream()
        .filter(s -> model.backupSchedule().equals(s.getMetadata().getName()))
        .filter(s -> controlledBy(s, model.resource()))
        .findFirst();
    Optional<EtcdBackupSchedule> desired = BackupScheduleBuilder.build(model);
    if (desired.isEmpty()) {
      owned.ifPresent(children::delete);
      return;
    }
    if (owned.isEmpty()) {
      EtcdBackupSchedule existing = children.live(EtcdBackupSchedule.class, model.namespace(), model.backupSchedule());
      if (existing != null && !controlledBy(existing, model.resource())) {
        throw new ForeignObjectException("spec.backup needs the EtcdBackupSchedule " + model.backupSchedule()
            + ", but one of that name exists that this cluster does not own: rename or delete it");
      }
    }
    children.apply(List.of(desired.get()));
  }

  /**
   * Replaces a member's pod only if a plan made from the API server's current pods picks the same one; a ready
   * member is evicted, so the disruption budget may still refuse (a drain got there first).
   */
  private boolean replace(EtcdClusterModel model, List<PersistentVolumeClaim> claims, Optional<String> leader,
      boolean formed, MemberRollout.Replacement replacement) {
    List<Pod> live = children.livePods(model.namespace(), Labels.CLUSTER, model.name()).stream()
        .filter(p -> controlledBy(p, model.resource())).toList();
    Optional<MemberRollout.Replacement> confirmed = MemberRollout.plan(model, live, claims, leader, formed).replace()
        .filter(r -> Objects.equals(r.pod().getMetadata().getUid(), replacement.pod().getMetadata().getUid()));
    if (confirmed.isEmpty()) {
      return false; // the cache was behind; the next reconcile decides again
    }
    MemberRollout.Replacement step = confirmed.get();
    if (step.evict() && !children.evict(step.pod())) {
      LOG.infof("%s: the disruption budget refused evicting %s for now", model.key(), step.pod().getMetadata().getName());
      return false;
    }
    if (!step.evict()) {
      children.delete(step.pod());
    }
    LOG.infof("%s: %s", model.key(), step.message());
    events.normal(model.resource(), step.reason(), step.message());
    return true;
  }

  private static boolean controlledBy(HasMetadata child, EtcdCluster cluster) {
    return child.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && Objects.equals(o.getUid(), cluster.getMetadata().getUid()));
  }

  /** An object the cluster needs exists under the same name but belongs to someone else. */
  private static final class ForeignObjectException extends RuntimeException {
    ForeignObjectException(String message) {
      super(message);
    }
  }

  /** The recorded bootstrap of this cluster's members; a ConfigMap left by a deleted namesake is ignored. */
  private static MemberBootstrapRecords records(EtcdCluster cluster, Context<EtcdCluster> context) {
    String name = EtcdClusterModel.membersConfigMap(cluster.getMetadata().getName());
    return context.getSecondaryResources(ConfigMap.class).stream()
        .filter(c -> name.equals(c.getMetadata().getName()))
        .filter(c -> c.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> Objects.equals(o.getUid(), cluster.getMetadata().getUid())))
        .findFirst()
        .map(c -> MemberBootstrapRecords.parse(c.getData()))
        .orElse(MemberBootstrapRecords.NONE);
  }

  /** Soon while members come and go; otherwise informer events wake the reconciler, and the refresh is a backstop. */
  private Duration nextCheck(Observation observation, Outcome outcome) {
    if (observation.reconcileError().isPresent()) {
      return RETRY_AFTER_ERROR;
    }
    boolean changing = outcome.acted() || (observation.specProblems().isEmpty() && !observation.missingMembers().isEmpty());
    return changing ? RECHECK_WHILE_CHANGING : config.statusRefreshInterval();
  }

  /** Writes the status only when it changed; the cached resource is never modified in place. */
  private static UpdateControl<EtcdCluster> statusUpdate(EtcdCluster cluster, EtcdClusterStatus status,
      Context<EtcdCluster> context) {
    if (!StatusChange.changed(cluster.getStatus(), status)) {
      return UpdateControl.noUpdate();
    }
    EtcdCluster updated = context.getControllerConfiguration().getConfigurationService()
        .getResourceCloner().clone(cluster);
    updated.setStatus(status);
    return UpdateControl.patchStatus(updated);
  }
}
