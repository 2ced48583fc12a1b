package dev.quorum.restore;

import dev.quorum.api.v1alpha1.ClusterBootstrap;
import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.S3CredentialsSecret;
import dev.quorum.api.v1alpha1.S3Object;
import dev.quorum.api.v1alpha1.SnapshotSource;
import dev.quorum.config.QuorumConfig;
import dev.quorum.events.Events;
import dev.quorum.model.Annotations;
import dev.quorum.model.ClusterMembers;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.EtcdVersion;
import dev.quorum.model.Labels;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.OperatorSettings;
import dev.quorum.model.RestoreSource;
import dev.quorum.operation.ServerSideApply;
import dev.quorum.podtool.SnapshotVerifier;
import dev.quorum.specs.MembersConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.quarkiverse.operatorsdk.annotations.RBACVerbs;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 *       deletes the claims of the replaced data once the restored cluster is Available. Each step is decided from
 *       what the API server shows, so an operator restart resumes where it stopped.</li>
 * </ul>
 */
@ControllerConfiguration(name = EtcdRestoreReconciler.NAME, fieldManager = QuorumConfig.FIELD_MANAGER)
// the S3 access key, to check the object before anything is created
@RBACRule(apiGroups = "", resources = "secrets", verbs = {RBACVerbs.GET})
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdbackups", verbs = {RBACVerbs.GET})
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
  /** While members stop or restore, look again soon. */
  private static final Duration WATCH = Duration.ofSeconds(2);

  // reasons
  static final String CLUSTER_EXISTS = "ClusterExists";
  static final String CLUSTER_NOT_FOUND = "ClusterNotFound";
  static final String CLUSTER_DELETED = "ClusterDeleted";
  static final String CLUSTER_PAUSED = "ClusterPaused";

  static final String ANOTHER_RESTORE = "AnotherRestoreInProgress";
  static final String VERSION_DOWNGRADE = "VersionDowngrade";
  static final String CREATE_REFUSED = "CreateRefused";
  static final String NOT_CREATED_YET = "ClusterNotCreatedYet";
  static final String CHECKING = "CheckingSource";
  static final String STOPPING = "StoppingMembers";
  static final String RESTORING = "Restoring";
  static final String RESTORED = "Restored";

  private final KubernetesClient kube;
  private final SourceCheck sourceCheck;
  private final RestoreSources sources;
  private final Events events;
  private final OperatorSettings settings;
  private final int maxAttempts;
  private final Duration firstRetryDelay;

  public EtcdRestoreReconciler(KubernetesClient kube, SourceCheck sourceCheck, RestoreSources sources, Events events,
      QuorumConfig config) {
    this.kube = kube;
    this.sourceCheck = sourceCheck;
    this.sources = sources;
    this.events = events;
    this.settings = OperatorSettings.from(config);
    // the same patience as a backup's with the same object store
    this.maxAttempts = Math.max(1, config.backup().maxAttempts());
    this.firstRetryDelay = config.backup().firstRetryDelay();
  }

  @Override
  public UpdateControl<EtcdRestore> reconcile(EtcdRestore restore, Context<EtcdRestore> context) {
    EtcdRestoreStatus status = copy(restore.getStatus());
    if (status.getPhase() != null && status.getPhase().finished()) {
      return UpdateControl.noUpdate();
    }
    if (status.getStartTime() == null) {
      status.setStartTime(now());
    }
    Duration next;
    try {
      next = restore.getSpec().getInPlace() != null ? inPlace(restore, status) : newCluster(restore, status);
    } catch (KubernetesClientException e) {
      // the API server refused or did not answer: nothing half-done is assumed, the next pass looks again
      LOG.warnf(e, "restoring %s", key(restore));
      status.setMessage("waiting to retry after an API error: " + e.getMessage());
      next = Duration.ofSeconds(10);
    }
    status.setObservedGeneration(restore.getMetadata().getGeneration());
    return update(restore, status, context).rescheduleAfter(next);
  }

  // ---- into a new cluster ----

  private Duration newCluster(EtcdRestore restore, EtcdRestoreStatus status) {
    String namespace = restore.getMetadata().getNamespace();
    String name = restore.getSpec().getClusterName();
    EtcdCluster cluster = cluster(namespace, name);
    if (status.getPhase() == OperationPhase.Running) {
      if (cluster == null || !Objects.equals(cluster.getMetadata().getUid(), status.getClusterUID())) {
        return failed(restore, status, CLUSTER_DELETED, "EtcdCluster " + name + " was deleted while it restored");
      }
      return watchRestored(restore, status, cluster, true);
    }
    if (cluster != null && !createdBy(cluster, restore)) {
      return failed(restore, status, CLUSTER_EXISTS, "EtcdCluster " + name + " already exists in namespace " + namespace
          + ": a restore creates a new cluster; choose another clusterName, or restore this one in place"
          + " (inPlace.confirmClusterName: " + name + ")");
    }
    if (cluster == null) {
      EtcdClusterSpec target = restore.getSpec().getClusterSpec() != null ? restore.getSpec().getClusterSpec()
          : new EtcdClusterSpec();
      Checked checked = checkedSource(restore, status, target);
      if (checked.source().isEmpty()) {
        return checked.next();
      }
      try {
        cluster = create(restore, checked.source().get());
      } catch (KubernetesClientException e) {
        if (!refusedForGood(e)) {
          throw e;
        }
        return failed(restore, status, CREATE_REFUSED, "the API server refused to create EtcdCluster " + name + ": "
            + e.getMessage());
      }
      if (cluster == null) {
        status.setReason(NOT_CREATED_YET);
        return WATCH; // created meanwhile (by this restore's earlier pass, or someone else): the next pass sees which
      }
      events.normal(restore, RESTORING, "created EtcdCluster " + name + ", whose members restore " + source(status));
    }
    status.setClusterUID(cluster.getMetadata().getUid());
    running(status, RESTORING, "EtcdCluster " + name + " is created; its members restore " + source(status));
    return WATCH;
  }

  /** The EtcdCluster with {@code spec.bootstrap.restore} naming the checked object; null if the name got taken. */
  private EtcdCluster create(EtcdRestore restore, RestoreSource source) {
    EtcdClusterSpec spec = restore.getSpec().getClusterSpec() != null
        ? Serialization.clone(restore.getSpec().getClusterSpec()) : new EtcdClusterSpec();
    ClusterBootstrap bootstrap = new ClusterBootstrap();
    bootstrap.setRestore(snapshotSource(source));
    spec.setBootstrap(bootstrap);
    EtcdCluster cluster = new EtcdCluster();
    cluster.getMetadata().setName(restore.getSpec().getClusterName());
    cluster.getMetadata().setNamespace(restore.getMetadata().getNamespace());
    cluster.getMetadata().setAnnotations(Map.of(Annotations.RESTORED_BY, restore.getMetadata().getUid()));
    cluster.setSpec(spec);
    try {
      return kube.resource(cluster).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return null;
      }
      throw e;
    }
  }

  /** A 4xx other than a conflict or throttling: the same request will be refused again (quota, webhook, RBAC). */
  private static boolean refusedForGood(KubernetesClientException e) {
    return e.getCode() >= 400 && e.getCode() < 500 && e.getCode() != HttpURLConnection.HTTP_CONFLICT
        && e.getCode() != 429;
  }

  private static boolean createdBy(EtcdCluster cluster, EtcdRestore restore) {
    return cluster.getMetadata().getAnnotations() != null && restore.getMetadata().getUid()
        .equals(cluster.getMetadata().getAnnotations().get(Annotations.RESTORED_BY));
  }

  // ---- in place ----

  private Duration inPlace(EtcdRestore restore, EtcdRestoreStatus status) {
    String namespace = restore.getMetadata().getNamespace();
    String name = restore.getSpec().getClusterName();
    EtcdCluster cluster = cluster(namespace, name);
    if (status.getPhase() == OperationPhase.Running) {
      if (cluster == null || !Objects.equals(cluster.getMetadata().getUid(), status.getClusterUID())) {
        return failed(restore, status, CLUSTER_DELETED, "EtcdCluster " + name + " was deleted during the restore");
      }
      return continueInPlace(restore, status, cluster);
    }
    if (cluster == null) {
      return failed(restore, status, CLUSTER_NOT_FOUND, "EtcdCluster " + name + " does not exist in namespace "
          + namespace + ": an in-place restore replaces an existing cluster's data; leave out inPlace to create it");
    }
    if (cluster.getSpec().isPaused()) {
      return failed(restore, status, CLUSTER_PAUSED, "EtcdCluster " + name + " is paused (spec.paused): the operator"
          + " changes nothing in it, restores included; unpause it and create the EtcdRestore again");
    }
    if (records(namespace, name).isEmpty()) {
      return failed(restore, status, CLUSTER_NOT_FOUND, "EtcdCluster " + name + " has no members yet: nothing to"
          + " restore in place; wait until it is created, or restore into a new cluster");
    }
    Optional<Duration> backingOff = backingOff(status);
    if (backingOff.isPresent()) {
      return backingOff.get();
    }
    // the hold is the lock: taken before the check, so two restores of one cluster cannot both pass it
    Optional<Duration> locked = lock(restore, status, cluster);
    if (locked.isPresent()) {
      return locked.get();
    }
    Checked checked = checkedSource(restore, status, cluster.getSpec());
    if (checked.source().isEmpty()) {
      if (status.getPhase() != OperationPhase.Pending || checked.retrying()) {
        unlock(cluster, restore); // failed, or waiting to retry: the cluster's reconciler takes over meanwhile
      }
      return checked.next();
    }
    String restoreId = EtcdClusterModel.uidPrefix(restore).orElseThrow();
    status.setClusterUID(cluster.getMetadata().getUid());
    status.setInitialClusterToken(name + "-" + restoreId);
    events.normal(restore, STOPPING, "restoring EtcdCluster " + name + " in place from " + source(status)
        + ": stopping its members");
    running(status, STOPPING, "stopping the members of EtcdCluster " + name + " to restore " + source(status));
    return WATCH;
  }

  /**
   * Holds the cluster for this restore, unless it already is: empty when held, else when to look again (the hold
   * changed under us) or {@link Duration#ZERO} when another running restore holds it (the restore is Failed).
   */
  private Optional<Duration> lock(EtcdRestore restore, EtcdRestoreStatus status, EtcdCluster cluster) {
    String own = restore.getMetadata().getName();
    Optional<String> holder = holder(cluster);
    if (holder.filter(own::equals).isPresent()) {
      return Optional.empty();
    }
    if (holder.isPresent() && stillRunning(cluster.getMetadata().getNamespace(), holder.get())) {
      return Optional.of(failed(restore, status, ANOTHER_RESTORE, "EtcdRestore " + holder.get() + " is restoring"
          + " EtcdCluster " + cluster.getMetadata().getName() + " already; wait until it has finished"));
    }
    try {
      // only if the cluster is as read: a restore that took it meanwhile makes this a conflict
      annotate(cluster, "\"" + own + "\"", cluster.getMetadata().getResourceVersion());
      return Optional.empty();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return Optional.of(Duration.ofMillis(200));
      }
      throw e;
    }
  }

  /** Releases the cluster if this restore holds it; never another restore's hold. */
  private void unlock(EtcdCluster cluster, EtcdRestore restore) {
    EtcdCluster live = cluster(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName());
    if (live != null && holder(live).filter(restore.getMetadata().getName()::equals).isPresent()) {
      annotate(live, "null", live.getMetadata().getResourceVersion());
    }
  }

  /** One step of an in-place restore, decided from what the API server shows now. */
  private Duration continueInPlace(EtcdRestore restore, EtcdRestoreStatus status, EtcdCluster cluster) {
    String namespace = cluster.getMetadata().getNamespace();
    String name = cluster.getMetadata().getName();
    MemberBootstrapRecords records = records(namespace, name);
    boolean rewritten = !records.isEmpty() && records.byMember().values().stream()
        .allMatch(b -> b.token().equals(status.getInitialClusterToken()));
    if (!rewritten) {
      Optional<Duration> locked = lock(restore, status, cluster);
      if (locked.isPresent()) {
        return locked.get();
      }
      List<Pod> pods = kube.pods().inNamespace(namespace).withLabel(Labels.CLUSTER, name).list().getItems().stream()
          .filter(p -> memberOf(p, cluster))
          .toList();
      if (!pods.isEmpty()) {
        // deleted, not evicted: a restore is a deliberate outage; the members' data stays on their claims (or, static
        // pods, in their directories: their manifests go, and the kubelets stop them)
        if (cluster.getSpec().staticPods()) {
          kube.configMaps().inNamespace(namespace).withLabel(Labels.CLUSTER, name).withLabel(Labels.STATIC_POD_NODE)
              .list().getItems().forEach(manifest -> kube.resource(manifest).delete());
          // the fetch pods of an earlier restore that never finished
          kube.pods().inNamespace(namespace).withLabel(Labels.CLUSTER, name).list().getItems().stream()
              .filter(p -> !memberOf(p, cluster) && p.getMetadata().getDeletionTimestamp() == null)
              .filter(p -> p.getMetadata().getOwnerReferences().stream()
                  .anyMatch(o -> Objects.equals(o.getUid(), cluster.getMetadata().getUid())))
              .forEach(p -> kube.resource(p).delete());
        } else {
          pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
              .forEach(p -> kube.resource(p).delete());
        }
        status.setMessage("stopping the members of EtcdCluster " + name + ": " + pods.size() + " pod(s) still running");
        return WATCH;
      }
      EtcdClusterModel before = EtcdClusterModel.of(cluster, settings, records);
      Optional<RestoreSource> source = resolvedAgain(restore, status);
      if (source.isEmpty()) {
        unlock(cluster, restore);
        return failed(restore, status, status.getReason(), status.getMessage() + " (no member was restored: the"
            + " members start again on their current data)");
      }
      if (status.getReplacedClaims() == null) {
        // on record before the records change, so a restart after the rewrite still knows what to delete
        status.setReplacedClaims(before.ephemeral() || before.staticPods() ? List.of()
            : before.members().stream().map(before::claimName).toList());
        return Duration.ZERO;
      }
      String restoreId = EtcdClusterModel.uidPrefix(restore).orElseThrow();
      MemberBootstrapRecords restoring = before.restoredInPlace(source.get(), restoreId);
      ServerSideApply.apply(kube, MembersConfigMapBuilder.build(EtcdClusterModel.of(cluster, settings, restoring)));
      LOG.infof("%s/%s: every member is stopped and on record to restore %s", namespace, name, source(status));
      running(status, RESTORING, "every member of EtcdCluster " + name + " is stopped and restores "
          + source(status) + " under a new cluster token");
      return WATCH;
    }
    if (holder(cluster).filter(restore.getMetadata().getName()::equals).isPresent()) {
      unlock(cluster, restore);
      events.normal(restore, RESTORING, "the members of EtcdCluster " + name + " restore " + source(status));
      return WATCH;
    }
    return watchRestored(restore, status, cluster, !records.restoring());
  }

  /**
   * Succeeded once the restored cluster is Available with every member ready.
   *
   * @param membersRestored whether every member installed the snapshot (in place the records say so; a new cluster
   *     can only be Available with its members restored)
   */
  private Duration watchRestored(EtcdRestore restore, EtcdRestoreStatus status, EtcdCluster cluster,
      boolean membersRestored) {
    String name = cluster.getMetadata().getName();
    int size = cluster.getSpec().staticPods() ? records(cluster.getMetadata().getNamespace(), name).count()
        : cluster.getSpec().getSize();
    int ready = cluster.getStatus() == null ? 0 : cluster.getStatus().getReadyMembers();
    boolean available = condition(cluster, ConditionTypes.AVAILABLE).map(c -> "True".equals(c.getStatus())).orElse(false);
    if (available && ready == size && membersRestored) {
      deleteReplacedClaims(cluster, status);
      status.setPhase(OperationPhase.Succeeded);
      status.setReason(RESTORED);
      status.setMessage(String.format("EtcdCluster %s is restored from %s%s: %d of %d members ready", name,
          source(status), Optional.ofNullable(status.getRestoredRevision()).map(r -> " at revision " + r).orElse(""),
          ready, size));
      status.setCompletionTime(now());
      events.normal(restore, RESTORED, status.getMessage());
      LOG.infof("%s: %s", key(restore), status.getMessage());
      return Duration.ZERO;
    }
    // what the cluster says while its members restore, e.g. an init container that cannot reach the store
    String progress = condition(cluster, ConditionTypes.DEGRADED).filter(c -> "True".equals(c.getStatus()))
        .map(Condition::getMessage)
        .orElse(String.format("%d of %d members ready", ready, size));
    status.setMessage("EtcdCluster " + name + " restores " + source(status) + ": " + progress);
    return WATCH;
  }

  private void deleteReplacedClaims(EtcdCluster cluster, EtcdRestoreStatus status) {
    if (status.getReplacedClaims() == null || status.getReplacedClaims().isEmpty()) {
      return; // ephemeral members had none; static pods' replaced data stays in its directories on the nodes
    }
    for (String claim : status.getReplacedClaims()) {
      kube.persistentVolumeClaims().inNamespace(cluster.getMetadata().getNamespace()).withName(claim).delete();
    }
    LOG.infof("%s/%s: deleted the claims of the replaced data %s", cluster.getMetadata().getNamespace(),
        cluster.getMetadata().getName(), status.getReplacedClaims());
  }

  // ---- the source ----

  /**
   * The outcome of one look at the source check: the source once it passed; otherwise when to look again
   * ({@link Duration#ZERO} once the restore is Failed), and whether a transient failure waits to be retried.
   */
  private record Checked(Optional<RestoreSource> source, Duration next, boolean retrying) {
    static Checked waiting(Duration next, boolean retrying) {
      return new Checked(Optional.empty(), next, retrying);
    }
  }

  /**
   * Checks the source on a thread of its own (reading a large object takes a while: no reconciler thread waits for
   * it), so this returns at once and is asked again until the check is done.
   *
   * @param target the spec of the cluster restored into: its etcd version must not be older than the snapshot's
   */
  private Checked checkedSource(EtcdRestore restore, EtcdRestoreStatus status, EtcdClusterSpec target) {
    status.setPhase(OperationPhase.Pending);
    Optional<Duration> backingOff = backingOff(status);
    if (backingOff.isPresent()) {
      return Checked.waiting(backingOff.get(), true);
    }
    Optional<SourceCheck.Result> done = sourceCheck.checkInBackground(restore.getMetadata().getUid(),
        restore.getMetadata().getNamespace(), restore.getSpec().getSource());
    if (done.isEmpty()) {
      status.setReason(CHECKING);
      status.setMessage("reading the snapshot to verify it before anything is created or stopped");
      return Checked.waiting(WATCH, false);
    }
    SourceCheck.Result result = done.get();
    status.setAttempts(attempts(status) + 1);
    status.setRetryAt(null);
    if (!result.passed()) {
      if (result.transientFailure() && attempts(status) < maxAttempts) {
        Duration delay = firstRetryDelay.multipliedBy(1L << Math.min(10, attempts(status) - 1));
        status.setReason(result.reason());
        status.setMessage("attempt " + attempts(status) + " of " + maxAttempts + " to check the source failed,"
            + " retried in " + delay.toSeconds() + " s: " + result.message());
        status.setRetryAt(Instant.now().plus(delay).truncatedTo(ChronoUnit.SECONDS).toString());
        return Checked.waiting(delay, true);
      }
      return Checked.waiting(failed(restore, status, result.reason(), result.message()), false);
    }
    String targetVersion = target.getVersion() != null ? target.getVersion() : EtcdClusterSpec.DEFAULT_VERSION;
    boolean newer = result.etcdVersion().flatMap(EtcdVersion::parse)
        .flatMap(from -> EtcdVersion.parse(targetVersion).map(from::newerMinorThan)).orElse(false);
    if (newer) {
      return Checked.waiting(failed(restore, status, VERSION_DOWNGRADE, "the snapshot comes from etcd "
          + result.etcdVersion().get() + ", newer than the " + targetVersion + " it would be restored into: etcd does"
          + " not open a newer release's data (a downgrade goes through a running cluster); restore into version "
          + result.etcdVersion().get() + " or newer"), false);
    }
    RestoreSource source = result.source().orElseThrow();
    SnapshotVerifier.Verified verified = result.verified().orElseThrow();
    status.setSource(source.uri());
    status.setSha256(verified.storedSha256());
    status.setSizeBytes(verified.storedBytes());
    result.revision().ifPresent(status::setRestoredRevision);
    status.setReason(CHECKING);
    return new Checked(Optional.of(source), Duration.ZERO, false);
  }

  /** How long until the next attempt, while a failed one backs off. */
  private static Optional<Duration> backingOff(EtcdRestoreStatus status) {
    Optional<Instant> retryAt = Optional.ofNullable(status.getRetryAt()).map(Instant::parse);
    return retryAt.filter(at -> at.isAfter(Instant.now()))
        .map(at -> Duration.between(Instant.now(), at).plusMillis(50));
  }

  /** The source again (no download), with the SHA-256 the check proved; empty if it no longer resolves. */
  private Optional<RestoreSource> resolvedAgain(EtcdRestore restore, EtcdRestoreStatus status) {
    RestoreSources.Resolution resolution = sources.resolve(restore.getMetadata().getNamespace(),
        restore.getSpec().getSource());
    if (resolution.source().isEmpty()) {
      status.setReason(resolution.reason());
      status.setMessage(resolution.message());
      return Optional.empty();
    }
    return Optional.of(resolution.source().get().withSha256(Optional.ofNullable(status.getSha256())));
  }

  static SnapshotSource snapshotSource(RestoreSource source) {
    S3Object object = new S3Object();
    object.setBucket(source.bucket());
    object.setKey(source.key());
    object.setRegion(source.region());
    object.setEndpoint(source.endpoint().orElse(null));
    object.setForcePathStyle(source.forcePathStyle());
    source.credentials().ifPresent(c -> {
      S3CredentialsSecret secret = new S3CredentialsSecret();
      secret.setName(c.name());
      secret.setAccessKeyIdKey(c.accessKeyIdKey());
      secret.setSecretAccessKeyKey(c.secretAccessKeyKey());
      object.setCredentialsSecret(secret);
    });
    SnapshotSource snapshot = new SnapshotSource();
    snapshot.setS3(object);
    snapshot.setSha256(source.sha256().orElse(null));
    return snapshot;
  }

  // ---- the cluster ----

  private EtcdCluster cluster(String namespace, String name) {
    return kube.resources(EtcdCluster.class).inNamespace(namespace).withName(name).get();
  }

  private MemberBootstrapRecords records(String namespace, String cluster) {
    ConfigMap map = kube.configMaps().inNamespace(namespace).withName(EtcdClusterModel.membersConfigMap(cluster)).get();
    return map == null ? MemberBootstrapRecords.NONE : MemberBootstrapRecords.parse(map.getData());
  }

  /**
   * A member pod of the cluster: one it controls, or in StaticPod mode a mirror pod of its static pods (which carry its
   * uid; the pods it controls there fetched an earlier restore's snapshots, and go too).
   */
  private static boolean memberOf(Pod pod, EtcdCluster cluster) {
    String uid = cluster.getMetadata().getUid();
    if (cluster.getSpec().staticPods()) {
      return ClusterMembers.isMirrorOf(pod, uid);
    }
    return pod.getMetadata().getOwnerReferences().stream().anyMatch(o -> Objects.equals(o.getUid(), uid));
  }

  private static Optional<String> holder(EtcdCluster cluster) {
    Map<String, String> annotations = cluster.getMetadata().getAnnotations();
    return Optional.ofNullable(annotations == null ? null : annotations.get(Annotations.RESTORE_IN_PROGRESS));
  }

  private boolean stillRunning(String namespace, String restore) {
    EtcdRestore other = kube.resources(EtcdRestore.class).inNamespace(namespace).withName(restore).get();
    return other != null && other.inProgress();
  }

  /** Sets (a JSON string) or removes ({@code null}) the hold annotation, only if the cluster is still at that version. */
  private void annotate(EtcdCluster cluster, String jsonValue, String resourceVersion) {
    kube.resources(EtcdCluster.class).inNamespace(cluster.getMetadata().getNamespace())
        .withName(cluster.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"resourceVersion\":\"" + resourceVersion
            + "\",\"annotations\":{\"" + Annotations.RESTORE_IN_PROGRESS + "\":" + jsonValue + "}}}");
  }

  private static Optional<Condition> condition(EtcdCluster cluster, String type) {
    return Optional.ofNullable(cluster.getStatus()).flatMap(status -> status.condition(type));
  }

  // ---- status ----

  private static void running(EtcdRestoreStatus status, String reason, String message) {
    status.setPhase(OperationPhase.Running);
    status.setReason(reason);
    status.setMessage(message);
  }

  private Duration failed(EtcdRestore restore, EtcdRestoreStatus status, String reason, String message) {
    status.setPhase(OperationPhase.Failed);
    status.setReason(reason);
    status.setMessage(message);
    status.setCompletionTime(now());
    events.warning(restore, reason, message);
    LOG.warnf("%s failed: %s", key(restore), message);
    return Duration.ZERO;
  }

  /** The object, for messages; known unless the operator restarted between creating the cluster and recording it. */
  private static String source(EtcdRestoreStatus status) {
    return status.getSource() != null ? status.getSource() : "the snapshot";
  }

  private static int attempts(EtcdRestoreStatus status) {
    return status.getAttempts() == null ? 0 : status.getAttempts();
  }

  private static String key(EtcdRestore restore) {
    return restore.getMetadata().getNamespace() + "/" + restore.getMetadata().getName();
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static EtcdRestoreStatus copy(EtcdRestoreStatus status) {
    if (status == null) {
      EtcdRestoreStatus fresh = new EtcdRestoreStatus();
      fresh.setPhase(OperationPhase.Pending);
      return fresh;
    }
    return Serialization.clone(status);
  }

  private static UpdateControl<EtcdRestore> update(EtcdRestore restore, EtcdRestoreStatus status,
      Context<EtcdRestore> context) {
    if (Serialization.asJson(status).equals(Serialization.asJson(restore.getStatus()))) {
      return UpdateControl.noUpdate();
    }
    EtcdRestore updated = context.getControllerConfiguration().getConfigurationService()
        .getResourceCloner().clone(restore);
    updated.setStatus(status);
    return UpdateControl.patchStatus(updated);
  }
}
