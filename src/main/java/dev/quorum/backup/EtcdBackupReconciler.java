package dev.quorum.backup;

import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.MemberStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.S3CredentialsSecret;
import dev.quorum.api.v1alpha1.S3Destination;
import dev.quorum.config.QuorumConfig;
import dev.quorum.etcd.EtcdClientSettings;
import dev.quorum.etcd.SnapshotOptions;
import dev.quorum.events.Events;
import dev.quorum.metrics.BackupMetrics;
import dev.quorum.metrics.ClusterHealthMetrics;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.OperatorSettings;
import dev.quorum.objectstore.S3Settings;
import dev.quorum.operation.RetryPolicy;
import dev.quorum.operation.StatusUpdates;
import dev.quorum.tls.OperatorClientTls;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.quarkiverse.operatorsdk.annotations.RBACVerbs;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.jboss.logging.Logger;

/**
 * Takes one EtcdBackup through Pending → Running → Succeeded | Failed. The attempt itself runs on a
 * {@link BackupRunner} thread; this reconciler starts it, watches it and records its outcome. Transient failures
 * (a member or the object store not answering) are retried with back-off; permanent ones (no such cluster, Secret,
 * bucket; access denied) fail at once with a message naming the problem.
 */
@ControllerConfiguration(name = EtcdBackupReconciler.NAME, fieldManager = QuorumConfig.FIELD_MANAGER)
// the S3 access key, from the Secret the EtcdBackup names
@RBACRule(apiGroups = "", resources = "secrets", verbs = {RBACVerbs.GET})
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdclusters", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH})
@RBACRule(apiGroups = "", resources = "events", verbs = {RBACVerbs.CREATE})
public class EtcdBackupReconciler implements Reconciler<EtcdBackup> {

  public static final String NAME = "etcdbackup";
  private static final Logger LOG = Logger.getLogger(EtcdBackupReconciler.class);
  private static final Duration WATCH_RUNNING = Duration.ofSeconds(2);
  private static final Duration WAIT_FOR_CLUSTER = Duration.ofSeconds(10);

  private final KubernetesClient kube;
  private final BackupRunner runner;
  private final Events events;
  private final EtcdClientSettings etcdSettings;
  private final OperatorClientTls clientTls;
  private final OperatorSettings operatorSettings;
  private final SnapshotOptions snapshotOptions;
  private final BackupMetrics metrics;
  private final ClusterHealthMetrics health;
  private final RetryPolicy retries;

  public EtcdBackupReconciler(KubernetesClient kube, BackupRunner runner, Events events, QuorumConfig config,
      BackupMetrics metrics, ClusterHealthMetrics health, OperatorClientTls clientTls) {
    this.kube = kube;
    this.health = health;
    this.clientTls = clientTls;
    this.operatorSettings = OperatorSettings.from(config);
    this.metrics = metrics;
    this.runner = runner;
    this.events = events;
    this.etcdSettings = EtcdClientSettings.from(config);
    this.snapshotOptions = SnapshotOptions.from(config);
    this.retries = RetryPolicy.from(config);
    LOG.debugf("backups: %s", retries);
  }

  @Override
  public List<EventSource<?, EtcdBackup>> prepareEventSources(EventSourceContext<EtcdBackup> context) {
    return List.of(new ClusterDeletions(context, metrics, health));
  }

  @Override
  public UpdateControl<EtcdBackup> reconcile(EtcdBackup backup, Context<EtcdBackup> context) {
    EtcdBackupStatus status = copy(backup.getStatus());
    if (status.getPhase() != null && status.getPhase().finished()) {
      return UpdateControl.noUpdate();
    }
    String uid = backup.getMetadata().getUid();
    Optional<BackupRunner.Attempt> attempt = runner.current(uid);
    Duration next;
    if (attempt.isPresent() && !attempt.get().outcome().isDone()) {
      next = WATCH_RUNNING;
    } else if (attempt.isPresent()) {
      next = record(backup, status, attempt.get());
    } else if (status.getPhase() == OperationPhase.Running) {
      // the operator restarted during the attempt: its upload was aborted or never completed
      next = failed(backup, status, BackupFailure.transientFailure(BackupFailure.INTERRUPTED,
          "attempt " + attempts(status) + " was interrupted (the operator restarted)"));
    } else {
      next = startAttempt(backup, status);
    }
    status.setObservedGeneration(backup.getMetadata().getGeneration());
    return StatusUpdates.patchIfChanged(backup, status, context).rescheduleAfter(next);
  }

  /** Checks what only the operator can see, then starts the next attempt if its back-off has passed. */
  private Duration startAttempt(EtcdBackup backup, EtcdBackupStatus status) {
    Optional<Instant> retryAt = runner.retryAt(backup.getMetadata().getUid());
    if (retryAt.isPresent() && retryAt.get().isAfter(Instant.now())) {
      return Duration.between(Instant.now(), retryAt.get()).plusMillis(50);
    }
    String namespace = backup.getMetadata().getNamespace();
    String clusterName = backup.getSpec().getClusterName();
    EtcdCluster cluster = kube.resources(EtcdCluster.class).inNamespace(namespace).withName(clusterName).get();
    if (cluster == null) {
      return failed(backup, status, BackupFailure.permanent(BackupFailure.CLUSTER_NOT_FOUND,
          "EtcdCluster " + clusterName + " does not exist in namespace " + namespace));
    }
    S3Settings store;
    try {
      store = s3Settings(kube, backup);
    } catch (BackupJob.AttemptFailed e) {
      return failed(backup, status, e.failure());
    }
    Optional<MemberStatus> source = sourceMember(cluster);
    if (source.isEmpty()) {
      status.setPhase(OperationPhase.Pending);
      status.setReason(BackupFailure.CLUSTER_NOT_READY);
      status.setMessage("waiting for a ready member of EtcdCluster " + clusterName + " to take the snapshot from");
      return WAIT_FOR_CLUSTER;
    }
    EtcdClientSettings etcd;
    try {
      // a TLS cluster is reached with the operator's client certificate from the cluster's CA
      etcd = etcdSettings.with(clientTls.forCluster(EtcdClusterModel.of(cluster, operatorSettings,
          MemberBootstrapRecords.NONE)));
    } catch (IllegalStateException e) {
      return failed(backup, status, BackupFailure.transientFailure(BackupFailure.CLUSTER_NOT_READY, e.getMessage()));
    }
    int number = attempts(status) + 1;
    Map<String, String> identity = new LinkedHashMap<>();
    identity.put("quorum-backup", namespace + "/" + backup.getMetadata().getName());
    identity.put("quorum-cluster", namespace + "/" + clusterName);
    BackupJob job = new BackupJob(source.get().getName(), source.get().getClientURL(), etcd, snapshotOptions,
        store, BackupKeys.key(backup), identity, backup.getSpec().getCompression());
    String name = backup.getMetadata().getName();
    String uid = backup.getMetadata().getUid();
    runner.start(uid, number, job, "EtcdBackup " + namespace + "/" + name, () -> {
      EtcdBackup live = kube.resources(EtcdBackup.class).inNamespace(namespace).withName(name).get();
      return live != null && uid.equals(live.getMetadata().getUid()) && live.getMetadata().getDeletionTimestamp() == null;
    });
    status.setAttempts(number);
    status.setPhase(OperationPhase.Running);
    status.setReason("Streaming");
    status.setMessage(String.format("attempt %d: streaming a snapshot of %s to %s", number, source.get().getName(),
        BackupKeys.location(backup)));
    if (status.getStartTime() == null) {
      status.setStartTime(now());
    }
    return WATCH_RUNNING;
  }

  private Duration record(EtcdBackup backup, EtcdBackupStatus status, BackupRunner.Attempt attempt) {
    try {
      BackupResult result = attempt.outcome().get();
      runner.finished(backup.getMetadata().getUid(), Optional.empty());
      status.setPhase(OperationPhase.Succeeded);
      status.setReason("Completed");
      status.setMessage(String.format("%d bytes from %s at revision %d; etcd's own checksum verified in transit, the object's SHA-256 recorded",
          result.upload().sizeBytes(), result.sourceMember(), result.source().revision()));
      status.setLocation(BackupKeys.location(backup));
      status.setSizeBytes(result.upload().sizeBytes());
      status.setSha256(result.upload().sha256Hex());
      status.setRevision(result.source().revision());
      status.setEtcdVersion(result.source().version());
      status.setClusterID(result.source().clusterIdHex());
      status.setSourceMember(result.sourceMember());
      status.setCompletionTime(now());
      events.normal(backup, "Completed", status.getMessage() + " (" + status.getLocation() + ")");
      metrics.succeeded(backup.getMetadata().getNamespace(), backup.getSpec().getClusterName(),
          Duration.between(attempt.started(), Instant.now()), result.upload().sizeBytes(), Instant.now());
      return Duration.ofDays(1);
    } catch (ExecutionException e) {
      BackupFailure failure = e.getCause() instanceof BackupJob.AttemptFailed failed
          ? failed.failure()
          : BackupFailure.transientFailure(BackupFailure.SNAPSHOT_FAILED, String.valueOf(e.getCause()));
      return failed(backup, status, failure);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return WATCH_RUNNING;
    } catch (java.util.concurrent.CancellationException e) {
      return failed(backup, status, BackupFailure.transientFailure(BackupFailure.INTERRUPTED, "the attempt was cancelled"));
    }
  }

  /** Failed for good, or Pending again until the back-off has passed. */
  private Duration failed(EtcdBackup backup, EtcdBackupStatus status, BackupFailure failure) {
    String uid = backup.getMetadata().getUid();
    int attempts = attempts(status);
    if (failure.permanent() || !retries.retries(attempts)) {
      runner.finished(uid, Optional.empty());
      status.setPhase(OperationPhase.Failed);
      status.setReason(failure.reason());
      status.setMessage(failure.permanent() ? failure.message()
          : String.format("gave up after %d attempts; the last one: %s", attempts, failure.message()));
      status.setCompletionTime(now());
      LOG.warnf("backup %s/%s failed: %s", backup.getMetadata().getNamespace(), backup.getMetadata().getName(),
          status.getMessage());
      events.warning(backup, failure.reason(), status.getMessage());
      metrics.failed(backup.getMetadata().getNamespace(), backup.getSpec().getClusterName(), failure.reason());
      return Duration.ofDays(1);
    }
    Duration backoff = retries.delayAfter(attempts);
    runner.finished(uid, Optional.of(Instant.now().plus(backoff)));
    status.setPhase(OperationPhase.Pending);
    status.setReason(failure.reason());
    status.setMessage(String.format("attempt %d of %d failed: %s; retrying in %s", attempts, retries.maxAttempts(),
        failure.message(), seconds(backoff)));
    events.warning(backup, failure.reason(), status.getMessage());
    metrics.attemptFailed(backup.getMetadata().getNamespace(), backup.getSpec().getClusterName(), failure.reason());
    return backoff;
  }

  private static String seconds(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
  }

  /** A ready member, a follower when there is one: the snapshot's load stays off the leader. */
  static Optional<MemberStatus> sourceMember(EtcdCluster cluster) {
    if (cluster.getStatus() == null || cluster.getStatus().getMembers() == null) {
      return Optional.empty();
    }
    return cluster.getStatus().getMembers().stream()
        .filter(MemberStatus::isReady)
        .filter(m -> m.getClientURL() != null)
        .min(Comparator.comparing(MemberStatus::isLeader).thenComparing(MemberStatus::getName));
  }

  /** The store a backup names, with the access key from its Secret; shared with retention. */
  static S3Settings s3Settings(KubernetesClient kube, EtcdBackup backup) throws BackupJob.AttemptFailed {
    S3Destination s3 = backup.getSpec().getDestination().getS3();
    S3Settings settings = new S3Settings(s3.getBucket(), s3.getRegion(),
        Optional.ofNullable(s3.getEndpoint()).map(URI::create), s3.isForcePathStyle(), Optional.empty());
    S3CredentialsSecret ref = s3.getCredentialsSecret();
    if (ref == null) {
      return settings;
    }
    try {
      return settings.withCredentials(S3Secrets.read(kube, backup.getMetadata().getNamespace(), ref.getName(),
          ref.getAccessKeyIdKey(), ref.getSecretAccessKeyKey()));
    } catch (S3Secrets.Missing e) {
      throw new BackupJob.AttemptFailed(BackupFailure.permanent(e.reason(), e.getMessage()), null);
    }
  }

  private static int attempts(EtcdBackupStatus status) {
    return status.getAttempts() == null ? 0 : status.getAttempts();
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static EtcdBackupStatus copy(EtcdBackupStatus status) {
    if (status == null) {
      EtcdBackupStatus fresh = new EtcdBackupStatus();
      fresh.setPhase(OperationPhase.Pending);
      return fresh;
    }
    return io.fabric8.kubernetes.client.utils.Serialization.clone(status);
  }
}
