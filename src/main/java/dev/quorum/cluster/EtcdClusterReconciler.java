package dev.quorum.cluster;

import dev.quorum.api.EtcdCluster;
import dev.quorum.api.EtcdClusterStatus;
import dev.quorum.config.QuorumConfig;
import dev.quorum.etcd.ClusterSnapshot;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
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
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Keeps an EtcdCluster's Services, StatefulSet and PodDisruptionBudget as its spec says and reports
 * what etcd and Kubernetes show in its status. Deletion is left to the garbage collector through
 * owner references, so there is no finalizer.
 */
@ControllerConfiguration(name = EtcdClusterReconciler.NAME, fieldManager = QuorumConfig.DEFAULT_FIELD_MANAGER)
// Children are written with server-side apply (patch; create for the first apply) and never deleted.
@RBACRule(apiGroups = "", resources = "services", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH})
@RBACRule(apiGroups = "apps", resources = "statefulsets", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH})
@RBACRule(apiGroups = "policy", resources = "poddisruptionbudgets", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH})
@RBACRule(apiGroups = "", resources = "pods", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH})
@RBACRule(apiGroups = "", resources = "events", verbs = {RBACVerbs.CREATE})
public class EtcdClusterReconciler implements Reconciler<EtcdCluster> {

  public static final String NAME = "etcdcluster";
  private static final Logger LOG = Logger.getLogger(EtcdClusterReconciler.class);
  private static final Duration RETRY_AFTER_ERROR = Duration.ofSeconds(10);

  private final QuorumConfig config;
  private final OperatorDefaults defaults;
  private final ChildResources children;
  private final MemberStatusSource memberStatus;
  private final ClusterEvents events;

  public EtcdClusterReconciler(QuorumConfig config, ChildResources children, MemberStatusSource memberStatus,
      ClusterEvents events) {
    this.config = config;
    this.defaults = OperatorDefaults.from(config);
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
    String key = cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
    List<String> problems = SpecValidator.problems(cluster.getSpec(), context.getSecondaryResource(StatefulSet.class));
    Optional<String> error = Optional.empty();
    try {
      if (!problems.isEmpty()) {
        if (events.invalidSpec(cluster, String.join("; ", problems))) {
          LOG.warnf("%s has an invalid spec, nothing is created: %s", key, problems);
        }
      } else if (!cluster.getSpec().isPaused()) {
        children.apply(DesiredChildren.of(cluster, defaults));
      }
    } catch (RuntimeException e) {
      // one broken cluster must not stop the others: report it and try again soon
      LOG.warnf(e, "reconciling %s failed", key);
      error = Optional.of("applying the desired objects failed: " + e.getMessage());
    }
    try {
      EtcdClusterStatus status = StatusAggregator.aggregate(observe(cluster, context, problems, error));
      Duration next = error.isPresent() ? RETRY_AFTER_ERROR : config.statusRefreshInterval();
      return statusUpdate(cluster, status, context).rescheduleAfter(next);
    } catch (RuntimeException e) {
      LOG.errorf(e, "computing the status of %s failed", key);
      return UpdateControl.<EtcdCluster>noUpdate().rescheduleAfter(RETRY_AFTER_ERROR);
    }
  }

  private Observation observe(EtcdCluster cluster, Context<EtcdCluster> context, List<String> problems,
      Optional<String> error) {
    List<Pod> pods = new ArrayList<>(context.getSecondaryResources(Pod.class));
    Optional<StatefulSet> statefulSet = context.getSecondaryResource(StatefulSet.class);
    Optional<ClusterSnapshot> etcd = memberStatus.read(cluster, pods);
    return new Observation(cluster, statefulSet, pods, etcd, problems, error, config.clusterDomain(), Instant.now());
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
