package dev.quorum.restore;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.config.QuorumConfig;
import dev.quorum.events.Events;
import dev.quorum.model.ClusterMembers;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.OperatorSettings;
import dev.quorum.operation.RetryPolicy;
import dev.quorum.operation.ServerSideApply;
import dev.quorum.operation.StatusUpdates;
import dev.quorum.restore.RestorePlanner.Observation;
import dev.quorum.specs.MembersConfigMapBuilder;
import dev.quorum.specs.RecoveryRestoreBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.quarkiverse.operatorsdk.annotations.RBACVerbs;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Runs an EtcdRestore: Pending while the source is checked (the backup exists and Succeeded, the object is there,
 * and reading it whole proves its checksums), Running while members restore, then Succeeded once the restored
 * cluster is Available, or Failed with the reason. Nothing is created or stopped before the check passes.
 *
 * <ul>
 *   <li>New cluster (the default): creates the EtcdCluster with {@code spec.bootstrap.restore} naming the verified
 *       object; its founding members restore it (see {@code RestoreContainers}).</li>
 *   <li>In place: holds the cluster (its reconciler leaves the members alone), deletes its member pods, rewrites every
 *       member's record to restore the snapshot under a new cluster token on a fresh claim, releases the cluster, and
 *       deletes the claims of the replaced data once the restored cluster is Available.</li>
 * </ul>
 *
 * <p>Each pass observes what the API server shows (and the source check), lets {@link RestorePlanner} decide the one
 * next step, carries it out and reports it in the status: an operator restart resumes where it stopped.
 */
@ControllerConfiguration(name = EtcdRestoreReconciler.NAME, fieldManager = QuorumConfig.FIELD_MANAGER)
// the S3 access key, to check the object before anything is created
@RBACRule(apiGroups = "", resources = "secrets", verbs = {RBACVerbs.GET})
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdbackups", verbs = {RBACVerbs.GET})
// an in-place restore is refused while a recovery of the cluster runs
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdrecoveries", verbs = {RBACVerbs.LIST})
// a new cluster is created; a cluster restored in place is held and released through an annotation
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdclusters", verbs = {RBACVerbs.GET, RBACVerbs.CREATE, RBACVerbs.PATCH})
// in place: the members' records are rewritten, their pods stopped (static pods: their manifests deleted), the replaced
// data's claims deleted afterwards
@RBACRule(apiGroups = "", resources = "configmaps", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.CREATE, RBACVerbs.PATCH, RBACVerbs.DELETE})
@RBACRule(apiGroups = "", resources = "pods", verbs = {RBACVerbs.LIST, RBACVerbs.DELETE})
@RBACRule(apiGroups = "", resources = "persistentvolumeclaims", verbs = {RBACVerbs.DELETE})
@RBACRule(apiGroups = "", resources = "events", verbs = {RBACVerbs.CREATE})
public class EtcdRestoreReconciler implements Reconciler<EtcdRestore> {

  public static final String NAME = "etcdrestore";
  private static final Logger LOG = Logger.getLogger(EtcdRestoreReconciler.class);
  /** While the source is checked, or members stop or restore, look again soon. */
  private static final Duration WATCH = Duration.ofSeconds(2);
  private static final Duration AFTER_API_ERROR = Duration.ofSeconds(10);

  private final KubernetesClient kube;
  private final SourceCheck sourceCheck;
  private final RestoreSources sources;
  private final ClusterHold hold;
  private final Events events;
  private final OperatorSettings settings;
  private final RestorePlanner planner;

  public EtcdRestoreReconciler(KubernetesClient kube, SourceCheck sourceCheck, RestoreSources sources,
      ClusterHold hold, Events events, QuorumConfig config) {
    this.kube = kube;
    this.sourceCheck = sourceCheck;
    this.sources = sources;
    this.hold = hold;
    this.events = events;
    this.settings = OperatorSettings.from(config);
    // the same patience as a backup's with the same object store
    this.planner = new RestorePlanner(settings, RetryPolicy.from(config));
  }

  @Override
  public UpdateControl<EtcdRestore> reconcile(EtcdRestore restore, Context<EtcdRestore> context) {
    EtcdRestoreStatus status = copy(restore.getStatus());
    if (status.getPhase() != null && status.getPhase().finished()) {
      return UpdateControl.noUpdate();
    }
    Instant now = Instant.now();
    if (status.getStartTime() == null) {
      status.setStartTime(timestamp(now));
    }
    Duration next;
    try {
      Observation observation = observe(restore, now);
      next = act(observation, planner.next(observation), status);
    } catch (KubernetesClientException e) {
      // the API server refused or did not answer: nothing half-done is assumed, the next pass looks again
      LOG.warnf(e, "restoring %s", key(restore));
      status.setMessage("waiting to retry after an API error: " + e.getMessage());
      next = AFTER_API_ERROR;
    }
    status.setObservedGeneration(restore.getMetadata().getGeneration());
    return StatusUpdates.patchIfChanged(restore, status, context).rescheduleAfter(next);
  }

  // ---- observe ----

  /** One look at what the next step depends on: the pods, manifests and source again only while members stop. */
  private Observation observe(EtcdRestore restore, Instant now) {
    String namespace = restore.getMetadata().getNamespace();
    String name = restore.getSpec().getClusterName();
    EtcdRestoreStatus status = copy(restore.getStatus());
    Optional<EtcdCluster> cluster = Optional.ofNullable(
        kube.resources(EtcdCluster.class).inNamespace(namespace).withName(name).get());
    MemberBootstrapRecords records = cluster.map(this::records).orElse(MemberBootstrapRecords.NONE);
    boolean stopping = cluster.isPresent() && RestorePlanner.stopsMembers(restore, status, records);
    List<Pod> pods = stopping
        ? kube.pods().inNamespace(namespace).withLabel(Labels.CLUSTER, name).list().getItems() : List.of();
    List<Pod> members = cluster.map(c -> ClusterMembers.pods(c, pods)).orElse(List.of());
    List<Pod> others = cluster.map(c -> pods.stream()
        .filter(p -> ClusterMembers.controlledBy(p, c) && !members.contains(p)).toList()).orElse(List.of());
    List<ConfigMap> manifests = stopping && cluster.get().getSpec().staticPods()
        ? kube.configMaps().inNamespace(namespace).withLabel(Labels.CLUSTER, name).withLabel(Labels.STATIC_POD_NODE)
            .list().getItems()
        : List.of();
    Optional<RestoreSources.Resolution> resolvedAgain = stopping
        ? Optional.of(sources.resolve(namespace, restore.getSpec().getSource())) : Optional.empty();
    Optional<String> holder = cluster.flatMap(ClusterHold::holder);
    boolean holderRunning = restore.getSpec().getInPlace() != null
        && holder.filter(h -> !h.equals(restore.getMetadata().getName()))
            .map(h -> hold.stillRunning(namespace, h)).orElse(false);
    // before the restore runs (it takes the hold first): a recovery of the cluster that has begun, not its owner
    Optional<String> recoveryRunning = restore.getSpec().getInPlace() != null && cluster.isPresent()
        && status.getPhase() != OperationPhase.Running
        ? kube.resources(EtcdRecovery.class).inNamespace(namespace).list().getItems().stream()
            .filter(r -> name.equals(r.getSpec().getClusterName()) && r.begun()
                && !RecoveryRestoreBuilder.ownedBy(restore, r))
            .map(r -> r.getMetadata().getName()).findFirst()
        : Optional.empty();
    return new Observation(restore, status, cluster, records, members, others, manifests, holder, holderRunning,
        sourceCheck.result(restore.getMetadata().getUid()), resolvedAgain, recoveryRunning, now);
  }

  private MemberBootstrapRecords records(EtcdCluster cluster) {
    ConfigMap map = kube.configMaps().inNamespace(cluster.getMetadata().getNamespace())
        .withName(EtcdClusterModel.membersConfigMap(cluster.getMetadata().getName())).get();
    return ClusterMembers.records(cluster, map == null ? List.of() : List.of(map));
  }

  // ---- act ----

  /** Carries out the step and writes what it did into the status; when to look again. */
  private Duration act(Observation o, RestoreStep step, EtcdRestoreStatus status) {
    EtcdRestore restore = o.restore();
    if (step instanceof RestoreStep.AfterCheck done) {
      sourceCheck.forget(restore.getMetadata().getUid());
      status.setAttempts(done.attempts());
      status.setRetryAt(null);
    }
    if (step instanceof RestoreStep.Fail fail) {
      return failed(o, status, fail.reason(), fail.message(), fail.release());
    }
    if (step instanceof RestoreStep.CheckFailed fail) {
      return failed(o, status, fail.reason(), fail.message(), fail.release());
    }
    if (step instanceof RestoreStep.WaitForRetry wait) {
      return wait.delay();
    }
    if (step instanceof RestoreStep.WaitForCheck) {
      sourceCheck.start(restore.getMetadata().getUid(), restore.getMetadata().getNamespace(),
          restore.getSpec().getSource());
      status.setPhase(OperationPhase.Pending);
      status.setReason(RestorePlanner.CHECKING);
      status.setMessage(RestorePlanner.CHECKING_MESSAGE);
      return WATCH;
    }
    if (step instanceof RestoreStep.RetryCheckAt retry) {
      status.setPhase(OperationPhase.Pending);
      status.setReason(retry.reason());
      status.setMessage(retry.message());
      status.setRetryAt(retry.at().toString());
      if (retry.release()) {
        hold.release(o.cluster().orElseThrow(), restore.getMetadata().getName()); // its reconciler takes over meanwhile
      }
      return retry.delay();
    }
    if (step instanceof RestoreStep.CreateCluster create) {
      return create(o, create, status);
    }
    if (step instanceof RestoreStep.NotCreatedYet) {
      status.setReason(RestorePlanner.NOT_CREATED_YET);
      return WATCH;
    }
    if (step instanceof RestoreStep.TrackCluster track) {
      status.setClusterUID(track.clusterUid());
      running(status, RestorePlanner.RESTORING, track.message());
      return WATCH;
    }
    if (step instanceof RestoreStep.Lock) {
      return hold.lock(o.cluster().orElseThrow(), restore.getMetadata().getName())
          ? Duration.ZERO : ClusterHold.CHANGED_MEANWHILE;
    }
    if (step instanceof RestoreStep.StartInPlace start) {
      recordChecked(status, start.checked());
      status.setClusterUID(start.clusterUid());
      status.setInitialClusterToken(start.token());
      events.normal(restore, RestorePlanner.STOPPING, start.event());
      running(status, RestorePlanner.STOPPING, start.message());
      return WATCH;
    }
    if (step instanceof RestoreStep.StopMembers stop) {
      stop.manifests().forEach(manifest -> kube.resource(manifest).delete());
      stop.fetchPods().forEach(pod -> kube.resource(pod).delete());
      stop.pods().forEach(pod -> kube.resource(pod).delete());
      status.setMessage(stop.message());
      return WATCH;
    }
    if (step instanceof RestoreStep.RecordReplacedClaims replaced) {
      status.setReplacedClaims(replaced.claims());
      return Duration.ZERO;
    }
    if (step instanceof RestoreStep.RewriteRecords rewrite) {
      EtcdCluster cluster = o.cluster().orElseThrow();
      ServerSideApply.apply(kube, MembersConfigMapBuilder.build(EtcdClusterModel.of(cluster, settings,
          rewrite.records())));
      LOG.infof("%s/%s: every member is stopped and on record to restore %s", cluster.getMetadata().getNamespace(),
          cluster.getMetadata().getName(), RestorePlanner.source(status));
      rewrite.restoredRevision().ifPresent(status::setRestoredRevision);
      running(status, RestorePlanner.RESTORING, rewrite.message());
      return WATCH;
    }
    if (step instanceof RestoreStep.Release release) {
      hold.release(o.cluster().orElseThrow(), restore.getMetadata().getName());
      events.normal(restore, RestorePlanner.RESTORING, release.event());
      return WATCH;
    }
    if (step instanceof RestoreStep.Watch watch) {
      status.setMessage(watch.message());
      return WATCH;
    }
    return succeeded(o, (RestoreStep.Succeed) step, status); // the one step left
  }

  /** Creates the cluster; what follows depends on the API server's answer. */
  private Duration create(Observation o, RestoreStep.CreateCluster create, EtcdRestoreStatus status) {
    recordChecked(status, create.checked());
    EtcdCluster created;
    try {
      created = kube.resource(create.cluster()).create();
    } catch (KubernetesClientException e) {
      return act(o, create.refused(e.getCode(), e.getMessage()).orElseThrow(() -> e), status);
    }
    events.normal(o.restore(), RestorePlanner.RESTORING, create.createdEvent());
    return act(o, create.created(created.getMetadata().getUid()), status);
  }

  /** What the check proved of the source. */
  private static void recordChecked(EtcdRestoreStatus status, RestoreStep.CheckedSource checked) {
    status.setPhase(OperationPhase.Pending);
    status.setSource(checked.uri());
    status.setSha256(checked.verified().storedSha256());
    status.setSizeBytes(checked.verified().storedBytes());
    checked.revision().ifPresent(revision -> {
      status.setSnapshotRevision(revision);
      // in place, moved further past the cluster's own revision once the members are stopped
      status.setRestoredRevision(checked.source().restoredRevision(revision));
    });
    status.setReason(RestorePlanner.CHECKING);
  }

  private Duration succeeded(Observation o, RestoreStep.Succeed succeed, EtcdRestoreStatus status) {
    // ephemeral members had no claims; static pods' replaced data stays in its directories on the nodes
    if (!succeed.replacedClaims().isEmpty()) {
      succeed.replacedClaims().forEach(claim -> kube.persistentVolumeClaims().inNamespace(o.namespace())
          .withName(claim).delete());
      LOG.infof("%s/%s: deleted the claims of the replaced data %s", o.namespace(), o.clusterName(),
          succeed.replacedClaims());
    }
    status.setPhase(OperationPhase.Succeeded);
    status.setReason(RestorePlanner.RESTORED);
    status.setMessage(succeed.message());
    status.setCompletionTime(timestamp(o.now()));
    sourceCheck.forget(o.restore().getMetadata().getUid());
    events.normal(o.restore(), RestorePlanner.RESTORED, succeed.message());
    LOG.infof("%s: %s", key(o.restore()), succeed.message());
    return Duration.ZERO;
  }

  /** @param release whether to release the hold first, if this restore has it */
  private Duration failed(Observation o, EtcdRestoreStatus status, String reason, String message, boolean release) {
    if (release) {
      hold.release(o.cluster().orElseThrow(), o.restore().getMetadata().getName());
    }
    status.setPhase(OperationPhase.Failed);
    status.setReason(reason);
    status.setMessage(message);
    status.setCompletionTime(timestamp(o.now()));
    sourceCheck.forget(o.restore().getMetadata().getUid()); // a check still running is no longer waited for
    events.warning(o.restore(), reason, message);
    LOG.warnf("%s failed: %s", key(o.restore()), message);
    return Duration.ZERO;
  }

  // ---- report ----

  private static void running(EtcdRestoreStatus status, String reason, String message) {
    status.setPhase(OperationPhase.Running);
    status.setReason(reason);
    status.setMessage(message);
  }

  private static String key(EtcdRestore restore) {
    return restore.getMetadata().getNamespace() + "/" + restore.getMetadata().getName();
  }

  private static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static EtcdRestoreStatus copy(EtcdRestoreStatus status) {
    if (status == null) {
      EtcdRestoreStatus fresh = new EtcdRestoreStatus();
      fresh.setPhase(OperationPhase.Pending);
      return fresh;
    }
    return Serialization.clone(status);
  }
}
