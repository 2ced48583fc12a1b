package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.cluster.ClusterPlanner.Course;
import dev.quorum.config.QuorumConfig;
import dev.quorum.metrics.ClusterHealthMetrics;
import dev.quorum.model.OperatorSettings;
import dev.quorum.operation.StatusUpdates;
import dev.quorum.restore.ClusterHold;
import dev.quorum.restore.RestoreSources;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.quarkiverse.operatorsdk.annotations.RBACVerbs;
import java.time.Duration;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Keeps an EtcdCluster's Services, members ConfigMap, member claims and pods, and PodDisruptionBudget as its
 * spec says, and reports what etcd and Kubernetes show in its status. Each pass observes the cluster once
 * ({@link ClusterObserver}), decides purely ({@link ClusterPlanner}, with the membership and roll planners), acts on
 * that decision ({@link ClusterActions}) and reports ({@link StatusAggregator}). Deletion is left to the garbage
 * collector through owner references, so there is no finalizer.
 */
@ControllerConfiguration(name = EtcdClusterReconciler.NAME, fieldManager = QuorumConfig.FIELD_MANAGER)
// Services, the budget and the members ConfigMap are server-side applied (patch; create for the first apply).
// TLS: the CA, members' and client certificate Secrets are read and applied (the CA's key never leaves them).
@RBACRule(apiGroups = "", resources = "secrets", verbs = {RBACVerbs.GET, RBACVerbs.CREATE, RBACVerbs.PATCH})
// certificates: CertManager: the members' Certificate (applied; cert-manager writes the Secret)
@RBACRule(apiGroups = "cert-manager.io", resources = "certificates", verbs = {RBACVerbs.GET, RBACVerbs.CREATE, RBACVerbs.PATCH})
// quorum.metrics.member-pod-monitors: the members' PodMonitor (applied), where the Prometheus Operator's CRDs exist
@RBACRule(apiGroups = "monitoring.coreos.com", resources = "podmonitors", verbs = {RBACVerbs.GET, RBACVerbs.CREATE, RBACVerbs.PATCH})
@RBACRule(apiGroups = "", resources = "services", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH})
// ConfigMaps: the members' records and, in StaticPod mode, each member's manifest (deleted when its member leaves).
@RBACRule(apiGroups = "", resources = "configmaps", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH, RBACVerbs.DELETE})
// StaticPod mode: the nodes a selector picks run the members; the node agent is a DaemonSet with its own account,
// which may read ConfigMaps in the cluster's namespace (granted by a Role the operator holds the rights of).
@RBACRule(apiGroups = "", resources = "nodes", verbs = RBACVerbs.LIST)
@RBACRule(apiGroups = "", resources = "serviceaccounts", verbs = {RBACVerbs.CREATE, RBACVerbs.PATCH})
@RBACRule(apiGroups = "rbac.authorization.k8s.io", resources = {"roles", "rolebindings"}, verbs = {RBACVerbs.CREATE, RBACVerbs.PATCH})
@RBACRule(apiGroups = "apps", resources = "daemonsets", verbs = {RBACVerbs.CREATE, RBACVerbs.PATCH})
@RBACRule(apiGroups = "policy", resources = "poddisruptionbudgets", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH})
// Member pods are created and, to roll, replace or retire one, deleted; claims are created, and deleted only when
// their member left the cluster by a scale-down (otherwise by the GC, or kept).
// Member pods are labelled as voters (patch) while etcd lists them so: the client Service routes to those only.
@RBACRule(apiGroups = "", resources = "pods", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH, RBACVerbs.DELETE})
// A ready member is restarted through the Eviction API, so the disruption budget arbitrates against drains.
@RBACRule(apiGroups = "", resources = "pods/eviction", verbs = {RBACVerbs.CREATE})
// A grown storage.size is asked of each claim (patch) whose StorageClass allows expansion (read).
@RBACRule(apiGroups = "", resources = "persistentvolumeclaims", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH, RBACVerbs.DELETE})
@RBACRule(apiGroups = "storage.k8s.io", resources = "storageclasses", verbs = RBACVerbs.GET)
@RBACRule(apiGroups = "", resources = "events", verbs = {RBACVerbs.CREATE})
// The EtcdBackupSchedule of an inline spec.backup, deleted when spec.backup goes.
// A cluster bootstrapped from an EtcdBackup reads where its object is; one held by an EtcdRestore checks it still runs.
// A recovery from a backup lists the cluster's backups and creates the in-place EtcdRestore that carries it out.
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdbackups", verbs = {RBACVerbs.GET, RBACVerbs.LIST})
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdrestores", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.CREATE})
// A cluster's EtcdRecoveries are carried out by its reconciler, which writes their status and holds a running one with
// a finalizer (patch); its policy creates one.
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdrecoveries", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH})
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdrecoveries/status", verbs = {RBACVerbs.PATCH})
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdbackupschedules", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH, RBACVerbs.DELETE})
public class EtcdClusterReconciler implements Reconciler<EtcdCluster> {

  public static final String NAME = "etcdcluster";
  private static final Logger LOG = Logger.getLogger(EtcdClusterReconciler.class);

  private final ClusterObserver observer;
  private final ClusterPlanner.Settings planning;
  private final ClusterActions actions;
  private final ReconcileFailures failures;
  private final Duration statusRefreshInterval;
  private final ClusterHealthMetrics health;

  public EtcdClusterReconciler(QuorumConfig config, ChildResources children, ClusterViewSource etcd,
      ClusterEvents events, RestoreSources restoreSources, ClusterHold hold, ClusterHealthMetrics health) {
    this.observer = new ClusterObserver(OperatorSettings.from(config), children, etcd, restoreSources, hold);
    this.planning = ClusterPlanner.Settings.from(config);
    this.actions = new ClusterActions(config, children, etcd, events);
    this.failures = new ReconcileFailures(events);
    this.statusRefreshInterval = config.statusRefreshInterval();
    this.health = health;
  }

  @Override
  public List<EventSource<?, EtcdCluster>> prepareEventSources(EventSourceContext<EtcdCluster> context) {
    return ChildEventSources.all(context);
  }

  @Override
  public UpdateControl<EtcdCluster> reconcile(EtcdCluster cluster, Context<EtcdCluster> context) {
    ClusterPass pass = observer.observe(cluster, context);
    Course course = ClusterPlanner.decide(pass, planning);
    PassOutcome outcome;
    try {
      outcome = actions.act(pass, course);
    } catch (RuntimeException e) {
      outcome = PassOutcome.failed(failures.describe(cluster, pass.model().key(), e));
    }
    return report(pass, outcome, context);
  }

  /**
   * The status from what the pass saw and did, written only when it changed, and the health series from the same;
   * and when to look again.
   */
  private UpdateControl<EtcdCluster> report(ClusterPass pass, PassOutcome outcome, Context<EtcdCluster> context) {
    try {
      Observation observation = pass.observation(outcome);
      EtcdClusterStatus status = StatusAggregator.aggregate(observation);
      UpdateControl<EtcdCluster> update = StatusUpdates.patchIfChanged(pass.cluster(), status, context)
          .rescheduleAfter(RecheckTiming.after(observation, outcome, statusRefreshInterval));
      recordHealth(pass, observation, status);
      return update;
    } catch (RuntimeException e) {
      LOG.errorf(e, "computing the status of %s failed", pass.model().key());
      return UpdateControl.<EtcdCluster>noUpdate().rescheduleAfter(RecheckTiming.RETRY_AFTER_ERROR);
    }
  }

  /** The health series from the same pass; never in the way of the status. */
  private void recordHealth(ClusterPass pass, Observation observation, EtcdClusterStatus status) {
    try {
      health.record(HealthReadings.of(observation, status));
    } catch (RuntimeException e) {
      LOG.warnf(e, "recording the health metrics of %s failed", pass.model().key());
    }
  }
}
