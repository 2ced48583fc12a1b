package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.config.QuorumConfig;
import dev.quorum.etcd.ClusterSnapshot;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.OperatorSettings;
import dev.quorum.specs.ClientServiceBuilder;
import dev.quorum.specs.MembersConfigMapBuilder;
import dev.quorum.specs.PeerServiceBuilder;
import dev.quorum.specs.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
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
@RBACRule(apiGroups = "", resources = "persistentvolumeclaims", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE})
@RBACRule(apiGroups = "", resources = "events", verbs = {RBACVerbs.CREATE})
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

  public EtcdClusterReconciler(QuorumConfig config, ChildResources children, MemberStatusSource memberStatus,
      ClusterEvents events) {
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
    EtcdClusterModel model = EtcdClusterModel.of(cluster, settings, records);
    List<Pod> pods = new ArrayList<>(context.getSecondaryResources(Pod.class));
    List<PersistentVolumeClaim> claims = new ArrayList<>(context.getSecondaryResources(PersistentVolumeClaim.class));
    List<String> problems = SpecValidator.problems(cluster.getSpec(), records);
    // etcd is asked before deciding, so a roll knows the leader and leaves it for last
    Optional<ClusterSnapshot> etcd = memberStatus.read(model, pods);
    Optional<String> error = Optional.empty();
    Optional<String> waiting = Optional.empty();
    try {
      if (!problems.isEmpty()) {
        if (events.invalidSpec(cluster, String.join("; ", problems))) {
          LOG.warnf("%s has an invalid spec, nothing is created: %s", model.key(), problems);
        }
      } else if (!cluster.getSpec().isPaused()) {
        waiting = converge(model, records, pods, claims, etcd.flatMap(ClusterSnapshot::leaderName));
      }
    } catch (RuntimeException e) {
      // one broken cluster must not stop the others: report it and try again soon
      LOG.warnf(e, "reconciling %s failed", model.key());
      error = Optional.of("applying the desired objects failed: " + e.getMessage());
    }
    try {
      Observation observation = new Observation(model, records, pods, etcd, problems, error, waiting, Instant.now());
      EtcdClusterStatus status = StatusAggregator.aggregate(observation);
      return statusUpdate(cluster, status, context).rescheduleAfter(nextCheck(observation));
    } catch (RuntimeException e) {
      LOG.errorf(e, "computing the status of %s failed", model.key());
      return UpdateControl.<EtcdCluster>noUpdate().rescheduleAfter(RETRY_AFTER_ERROR);
    }
  }

  /** One pass towards the desired state; returns why a change waits, if one does. */
  private Optional<String> converge(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      List<PersistentVolumeClaim> claims, Optional<String> leader) {
    // the peer Service first: members resolve each other through it as soon as they start
    children.apply(List.of(PeerServiceBuilder.build(model), ClientServiceBuilder.build(model)));
    if (records.count() < model.size()) {
      // founding members are on record before any of their pods exists
      children.apply(List.of(MembersConfigMapBuilder.build(model)));
    }
    MemberRollout.Plan plan = MemberRollout.plan(model, pods, claims, leader);
    children.create(plan.createClaims());
    children.create(plan.createPods());
    plan.replace().ifPresent(replacement -> replace(model, claims, leader, replacement));
    children.apply(List.of(PodDisruptionBudgetBuilder.build(model)));
    return plan.waiting();
  }

  /** Deletes a member's pod only if a plan made from the API server's current pods picks the same one. */
  private void replace(EtcdClusterModel model, List<PersistentVolumeClaim> claims, Optional<String> leader,
      MemberRollout.Replacement replacement) {
    List<Pod> live = children.livePods(model.namespace(), Labels.CLUSTER, model.name());
    Optional<MemberRollout.Replacement> confirmed = MemberRollout.plan(model, live, claims, leader).replace()
        .filter(r -> Objects.equals(r.pod().getMetadata().getUid(), replacement.pod().getMetadata().getUid()));
    if (confirmed.isEmpty()) {
      return; // the cache was behind; the next reconcile decides again
    }
    LOG.infof("%s: %s", model.key(), confirmed.get().message());
    events.normal(model.resource(), confirmed.get().reason(), confirmed.get().message());
    children.delete(confirmed.get().pod());
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

  private Duration nextCheck(Observation observation) {
    if (observation.reconcileError().isPresent()) {
      return RETRY_AFTER_ERROR;
    }
    return observation.settled() ? config.statusRefreshInterval() : RECHECK_WHILE_CHANGING;
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
