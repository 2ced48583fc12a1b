package dev.quorum.restore;

import dev.quorum.api.v1alpha1.ClusterBootstrap;
import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.S3CredentialsSecret;
import dev.quorum.api.v1alpha1.S3Object;
import dev.quorum.api.v1alpha1.SnapshotSource;
import dev.quorum.model.Annotations;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.EtcdVersion;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.OperatorSettings;
import dev.quorum.model.RestoreSource;
import dev.quorum.operation.RetryPolicy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Pure: decides the next single {@link RestoreStep} of an EtcdRestore from one {@link Observation} of what the API
 * server shows and of the source check (which runs on a thread of its own). Both kinds of restore go through it, one
 * step a pass:
 *
 * <ul>
 *   <li><b>into a new cluster</b>: the source is checked, the EtcdCluster created with {@code spec.bootstrap.restore}
 *       naming the verified object (its founding members restore it), then watched until it is Available;
 *   <li><b>in place</b>: the cluster is held, the source checked, the members stopped (static pods: their manifests
 *       deleted, and the fetch pods of an earlier restore), the claims of the data they hold recorded, their records
 *       rewritten to restore the snapshot under a new cluster token on fresh claims, the cluster released, then watched
 *       until it is Available, when the replaced claims go.
 * </ul>
 *
 * <p>Invariants:
 *
 * <ul>
 *   <li>nothing is created or stopped before the source check passed, nor when the snapshot comes from a newer etcd
 *       minor than the target runs (etcd does not open a newer release's data);
 *   <li>in place, the hold is taken before the check, so of two restores of one cluster only one passes it; a restore
 *       releases only its own hold: once the records are rewritten, while a failed check waits to be retried, and when
 *       the check fails or the source no longer resolves after the stop (the cluster's reconciler removes the hold of
 *       a restore that failed otherwise);
 *   <li>the replaced claims are on record before the members' records change, so a restart after the rewrite still
 *       knows what to delete;
 *   <li>once Running, the cluster is the one whose uid is on record: a cluster deleted meanwhile (or a namesake) fails
 *       the restore;
 *   <li>every step is recognised afterwards from the restore's status and what the API server shows, so an operator
 *       that restarts resumes where it stopped.
 * </ul>
 */
public final class RestorePlanner {

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
  static final String RECOVERY_RUNNING = "RecoveryInProgress";

  /**
   * The reasons a restore fails for its cluster's sake, not its source's: a recovery from a backup that meets one
   * does not try an older backup.
   */
  public static final Set<String> CLUSTER_REFUSALS = Set.of(CLUSTER_NOT_FOUND, CLUSTER_DELETED, CLUSTER_PAUSED,
      ANOTHER_RESTORE, RECOVERY_RUNNING);

  static final String CHECKING_MESSAGE = "reading the snapshot to verify it before anything is created or stopped";

  /**
   * One look at everything a pass decides on.
   *
   * @param status the restore's status as the pass found it (a fresh one is Pending)
   * @param cluster the EtcdCluster the restore names, as read; empty when there is none
   * @param records the cluster's members on record (its own members ConfigMap); none without a cluster
   * @param memberPods the pods running its members, while it {@link #stopsMembers stops members}; else none
   * @param fetchPods the other pods the cluster controls (StaticPod mode: snapshot fetchers), likewise
   * @param manifests StaticPod mode: its static pod manifests, likewise
   * @param holder the EtcdRestore the cluster's hold annotation names
   * @param holderRunning whether that holder, when another restore, still runs (in place)
   * @param check the source check's result, once it is done
   * @param resolvedAgain the source resolved again (no download), while the restore stops members
   * @param recoveryRunning in place, before the restore runs: an EtcdRecovery of the cluster that has begun and does
   *     not own this restore
   */
  public record Observation(EtcdRestore restore, EtcdRestoreStatus status, Optional<EtcdCluster> cluster,
      MemberBootstrapRecords records, List<Pod> memberPods, List<Pod> fetchPods, List<ConfigMap> manifests,
      Optional<String> holder, boolean holderRunning, Optional<SourceCheck.Result> check,
      Optional<RestoreSources.Resolution> resolvedAgain, Optional<String> recoveryRunning, Instant now) {

    public Observation {
      memberPods = List.copyOf(memberPods);
      fetchPods = List.copyOf(fetchPods);
      manifests = List.copyOf(manifests);
    }

    String clusterName() {
      return restore.getSpec().getClusterName();
    }

    String namespace() {
      return restore.getMetadata().getNamespace();
    }

    boolean heldByThis() {
      return holder.filter(restore.getMetadata().getName()::equals).isPresent();
    }

    /** Once Running: whether the cluster read is the one restored into (not deleted, nor a namesake since). */
    boolean restoredClusterThere() {
      return cluster.filter(c -> Objects.equals(c.getMetadata().getUid(), status.getClusterUID())).isPresent();
    }
  }

  private final OperatorSettings settings;
  private final RetryPolicy retries;

  /**
   * @param settings what the members' records are built with
   * @param retries how a check that failed for a reason that may pass is tried again (a backup's patience with the
   *     same object store)
   */
  public RestorePlanner(OperatorSettings settings, RetryPolicy retries) {
    this.settings = settings;
    this.retries = retries;
  }

  /**
   * Whether a pass of this restore may stop members or rewrite their records: in place, Running, and the records not
   * rewritten yet. Its observation then holds the member pods, the cluster's other pods, its manifests and the source
   * resolved again.
   */
  public static boolean stopsMembers(EtcdRestore restore, EtcdRestoreStatus status, MemberBootstrapRecords records) {
    return restore.getSpec().getInPlace() != null && status.getPhase() == OperationPhase.Running
        && !rewritten(status, records);
  }

  public RestoreStep next(Observation o) {
    return o.restore().getSpec().getInPlace() != null ? inPlace(o) : newCluster(o);
  }

  // ---- into a new cluster ----

  private RestoreStep newCluster(Observation o) {
    String name = o.clusterName();
    if (o.status().getPhase() == OperationPhase.Running) {
      if (!o.restoredClusterThere()) {
        return new RestoreStep.Fail(CLUSTER_DELETED, "EtcdCluster " + name + " was deleted while it restored", false);
      }
      return watch(o, o.cluster().get(), true);
    }
    if (o.cluster().isPresent() && !createdBy(o.cluster().get(), o.restore())) {
      return new RestoreStep.Fail(CLUSTER_EXISTS, "EtcdCluster " + name + " already exists in namespace "
          + o.namespace() + ": a restore creates a new cluster; choose another clusterName, or restore this one in"
          + " place (inPlace.confirmClusterName: " + name + ")", false);
    }
    if (o.cluster().isPresent()) {
      // created by an earlier pass (the operator restarted, or the name was taken by this restore meanwhile)
      return new RestoreStep.TrackCluster(o.cluster().get().getMetadata().getUid(),
          createdMessage(name, source(o.status())));
    }
    Optional<Duration> backingOff = backingOff(o);
    if (backingOff.isPresent()) {
      return new RestoreStep.WaitForRetry(backingOff.get());
    }
    EtcdClusterSpec target = o.restore().getSpec().getClusterSpec() != null ? o.restore().getSpec().getClusterSpec()
        : new EtcdClusterSpec();
    Optional<RestoreStep> unchecked = unlessPassed(o, target, false);
    if (unchecked.isPresent()) {
      return unchecked.get();
    }
    RestoreStep.CheckedSource checked = checked(o);
    return new RestoreStep.CreateCluster(checked, clusterToCreate(o.restore(), checked.source()));
  }

  /** The EtcdCluster with {@code spec.bootstrap.restore} naming the checked object, marked as this restore's. */
  private static EtcdCluster clusterToCreate(EtcdRestore restore, RestoreSource source) {
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
    return cluster;
  }

  private static boolean createdBy(EtcdCluster cluster, EtcdRestore restore) {
    return cluster.getMetadata().getAnnotations() != null && restore.getMetadata().getUid()
        .equals(cluster.getMetadata().getAnnotations().get(Annotations.RESTORED_BY));
  }

  static String createdMessage(String cluster, String source) {
    return "EtcdCluster " + cluster + " is created; its members restore " + source;
  }

  private static SnapshotSource snapshotSource(RestoreSource source) {
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
    // the restore's own bump (0 too): the new cluster's members restore as the EtcdRestore asked
    snapshot.setBumpRevision(source.bumpRevision());
    return snapshot;
  }

  // ---- in place ----

  private RestoreStep inPlace(Observation o) {
    String name = o.clusterName();
    if (o.status().getPhase() == OperationPhase.Running) {
      if (!o.restoredClusterThere()) {
        return new RestoreStep.Fail(CLUSTER_DELETED, "EtcdCluster " + name + " was deleted during the restore", false);
      }
      return continueInPlace(o, o.cluster().get());
    }
    if (o.cluster().isEmpty()) {
      return new RestoreStep.Fail(CLUSTER_NOT_FOUND, "EtcdCluster " + name + " does not exist in namespace "
          + o.namespace() + ": an in-place restore replaces an existing cluster's data; leave out inPlace to create it",
          false);
    }
    EtcdCluster cluster = o.cluster().get();
    if (cluster.getSpec().isPaused()) {
      return new RestoreStep.Fail(CLUSTER_PAUSED, "EtcdCluster " + name + " is paused (spec.paused): the operator"
          + " changes nothing in it, restores included; unpause it and create the EtcdRestore again", false);
    }
    if (o.records().isEmpty()) {
      return new RestoreStep.Fail(CLUSTER_NOT_FOUND, "EtcdCluster " + name + " has no members yet: nothing to"
          + " restore in place; wait until it is created, or restore into a new cluster", false);
    }
    if (o.recoveryRunning().isPresent() && !o.heldByThis()) {
      // the recovery is changing the members; a restore over it would stop a half-recovered cluster
      return new RestoreStep.Fail(RECOVERY_RUNNING, "EtcdRecovery " + o.recoveryRunning().get() + " is recovering"
          + " EtcdCluster " + name + "; wait until it has finished, then restore", false);
    }
    Optional<Duration> backingOff = backingOff(o);
    if (backingOff.isPresent()) {
      return new RestoreStep.WaitForRetry(backingOff.get());
    }
    // the hold is the lock: taken before the check, so two restores of one cluster cannot both pass it
    Optional<RestoreStep> unheld = unlessHeld(o);
    if (unheld.isPresent()) {
      return unheld.get();
    }
    Optional<RestoreStep> unchecked = unlessPassed(o, cluster.getSpec(), true);
    if (unchecked.isPresent()) {
      return unchecked.get();
    }
    RestoreStep.CheckedSource checked = checked(o);
    return new RestoreStep.StartInPlace(checked, cluster.getMetadata().getUid(), name + "-" + restoreId(o),
        "restoring EtcdCluster " + name + " in place from " + checked.uri() + ": stopping its members",
        "stopping the members of EtcdCluster " + name + " to restore " + checked.uri());
  }

  /** One step of an in-place restore once it runs. */
  private RestoreStep continueInPlace(Observation o, EtcdCluster cluster) {
    String name = o.clusterName();
    if (!rewritten(o.status(), o.records())) {
      Optional<RestoreStep> unheld = unlessHeld(o);
      if (unheld.isPresent()) {
        return unheld.get();
      }
      if (!o.memberPods().isEmpty()) {
        return stop(o, cluster);
      }
      RestoreSources.Resolution resolution = o.resolvedAgain().orElseThrow(() -> new IllegalArgumentException(
          "the source resolved again is part of the observation while the restore stops members"));
      if (resolution.source().isEmpty()) {
        return new RestoreStep.Fail(resolution.reason(), resolution.message() + " (no member was restored: the"
            + " members start again on their current data)", true);
      }
      EtcdClusterModel before = EtcdClusterModel.of(cluster, settings, o.records());
      if (o.status().getReplacedClaims() == null) {
        // ephemeral members have no claims; static pods' data stays in its directories on the nodes
        return new RestoreStep.RecordReplacedClaims(before.ephemeral() || before.staticPods() ? List.of()
            : before.members().stream().map(before::claimName).toList());
      }
      Optional<Long> snapshotRevision = Optional.ofNullable(o.status().getSnapshotRevision());
      RestoreSource source = resolution.source().get().withSha256(Optional.ofNullable(o.status().getSha256()))
          .bumpedPast(snapshotRevision, Optional.ofNullable(cluster.getStatus()).map(s -> s.getRevision())
              .map(r -> r + EtcdClusterStatus.REVISION_STEP));
      return new RestoreStep.RewriteRecords(before.restoredInPlace(source, restoreId(o)),
          snapshotRevision.map(source::restoredRevision), "every member of EtcdCluster " + name
          + " is stopped and restores " + source(o.status()) + " under a new cluster token");
    }
    if (o.heldByThis()) {
      return new RestoreStep.Release("the members of EtcdCluster " + name + " restore " + source(o.status()));
    }
    return watch(o, cluster, !o.records().restoring());
  }

  /** Unless this restore holds the cluster: another running restore holding it fails this one, else it is taken. */
  private static Optional<RestoreStep> unlessHeld(Observation o) {
    if (o.heldByThis()) {
      return Optional.empty();
    }
    if (o.holder().isPresent() && o.holderRunning()) {
      return Optional.of(new RestoreStep.Fail(ANOTHER_RESTORE, "EtcdRestore " + o.holder().get() + " is restoring"
          + " EtcdCluster " + o.clusterName() + " already; wait until it has finished", false));
    }
    return Optional.of(new RestoreStep.Lock());
  }

  private static RestoreStep stop(Observation o, EtcdCluster cluster) {
    String message = "stopping the members of EtcdCluster " + o.clusterName() + ": " + o.memberPods().size()
        + " pod(s) still running";
    if (cluster.getSpec().staticPods()) {
      return new RestoreStep.StopMembers(List.of(), o.manifests(), notDeleted(o.fetchPods()), message);
    }
    return new RestoreStep.StopMembers(notDeleted(o.memberPods()), List.of(), List.of(), message);
  }

  private static List<Pod> notDeleted(List<Pod> pods) {
    return pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  /** Whether every member's record carries this restore's cluster token: the members restore (or have restored). */
  private static boolean rewritten(EtcdRestoreStatus status, MemberBootstrapRecords records) {
    return !records.isEmpty() && records.byMember().values().stream()
        .allMatch(b -> b.token().equals(status.getInitialClusterToken()));
  }

  private static String restoreId(Observation o) {
    return EtcdClusterModel.uidPrefix(o.restore()).orElseThrow();
  }

  // ---- both ----

  /**
   * Succeeded once the restored cluster is Available with every member ready.
   *
   * @param membersRestored whether every member installed the snapshot (in place the records say so; a new cluster
   *     can only be Available with its members restored)
   */
  private static RestoreStep watch(Observation o, EtcdCluster cluster, boolean membersRestored) {
    EtcdRestoreStatus status = o.status();
    String name = cluster.getMetadata().getName();
    int size = cluster.getSpec().staticPods() ? o.records().count() : cluster.getSpec().getSize();
    int ready = cluster.getStatus() == null ? 0 : cluster.getStatus().getReadyMembers();
    boolean available = condition(cluster, ConditionTypes.AVAILABLE).map(c -> "True".equals(c.getStatus()))
        .orElse(false);
    if (available && ready == size && membersRestored) {
      return new RestoreStep.Succeed(String.format("EtcdCluster %s is restored from %s%s: %d of %d members ready", name,
          source(status), RestoreStep.atRevision(status), ready, size), Optional.ofNullable(status.getReplacedClaims()).orElse(List.of()));
    }
    // what the cluster says while its members restore, e.g. an init container that cannot reach the store
    String progress = condition(cluster, ConditionTypes.DEGRADED).filter(c -> "True".equals(c.getStatus()))
        .map(Condition::getMessage)
        .orElse(String.format("%d of %d members ready", ready, size));
    return new RestoreStep.Watch("EtcdCluster " + name + " restores " + source(status) + ": " + progress);
  }

  private static Optional<Condition> condition(EtcdCluster cluster, String type) {
    return Optional.ofNullable(cluster.getStatus()).flatMap(status -> status.condition(type));
  }

  // ---- the source ----

  /** How long until the next attempt, while a failed one backs off. */
  private static Optional<Duration> backingOff(Observation o) {
    Optional<Instant> retryAt = Optional.ofNullable(o.status().getRetryAt()).map(Instant::parse);
    return retryAt.filter(at -> at.isAfter(o.now())).map(at -> Duration.between(o.now(), at).plusMillis(50));
  }

  /**
   * The step while the source has not passed the check: it runs, failed (to be retried, or for good), or the
   * snapshot is too new for the target; empty once it passed.
   *
   * @param target the spec of the cluster restored into: its etcd version must not be older than the snapshot's
   * @param release whether a failed check releases the hold (in place)
   */
  private Optional<RestoreStep> unlessPassed(Observation o, EtcdClusterSpec target, boolean release) {
    if (o.check().isEmpty()) {
      return Optional.of(new RestoreStep.WaitForCheck());
    }
    SourceCheck.Result result = o.check().get();
    int attempts = attempts(o.status()) + 1;
    if (!result.passed()) {
      if (result.transientFailure() && retries.retries(attempts)) {
        Duration delay = retries.delayAfter(attempts);
        Instant at = o.now().plus(delay).truncatedTo(ChronoUnit.SECONDS);
        return Optional.of(new RestoreStep.RetryCheckAt(attempts, delay, at, result.reason(), "attempt " + attempts
            + " of " + retries.maxAttempts() + " to check the source failed, retried in " + delay.toSeconds() + " s: "
            + result.message(), release));
      }
      return Optional.of(new RestoreStep.CheckFailed(attempts, result.reason(), result.message(), release));
    }
    String targetVersion = target.getVersion() != null ? target.getVersion() : EtcdClusterSpec.DEFAULT_VERSION;
    boolean newer = result.etcdVersion().flatMap(EtcdVersion::parse)
        .flatMap(from -> EtcdVersion.parse(targetVersion).map(from::newerMinorThan)).orElse(false);
    if (newer) {
      return Optional.of(new RestoreStep.CheckFailed(attempts, VERSION_DOWNGRADE, "the snapshot comes from etcd "
          + result.etcdVersion().get() + ", newer than the " + targetVersion + " it would be restored into: etcd does"
          + " not open a newer release's data (a downgrade goes through a running cluster); restore into version "
          + result.etcdVersion().get() + " or newer", release));
    }
    return Optional.empty();
  }

  private static RestoreStep.CheckedSource checked(Observation o) {
    SourceCheck.Result result = o.check().orElseThrow();
    return new RestoreStep.CheckedSource(attempts(o.status()) + 1, result.source().orElseThrow(),
        result.verified().orElseThrow(), result.revision());
  }

  /** The object, for messages; known unless the operator restarted between creating the cluster and recording it. */
  static String source(EtcdRestoreStatus status) {
    return status.getSource() != null ? status.getSource() : "the snapshot";
  }

  private static int attempts(EtcdRestoreStatus status) {
    return status.getAttempts() == null ? 0 : status.getAttempts();
  }
}
