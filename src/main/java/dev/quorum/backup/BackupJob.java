package dev.quorum.backup;

import dev.quorum.api.v1alpha1.BackupCompression;
import dev.quorum.etcd.EtcdClientSettings;
import dev.quorum.etcd.MaintenanceStatus;
import dev.quorum.etcd.SnapshotOptions;
import dev.quorum.etcd.SnapshotStream;
import dev.quorum.objectstore.Failure;
import dev.quorum.objectstore.ObjectKeys;
import dev.quorum.objectstore.ObjectStore;
import dev.quorum.objectstore.ObjectStoreException;
import dev.quorum.objectstore.S3Settings;
import dev.quorum.objectstore.UploadResult;
import dev.quorum.operation.ReasonedFailure;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.jboss.logging.Logger;

/**
 * One attempt, run on a worker thread: a member's snapshot streamed straight into a multipart upload. Memory is
 * bounded by the snapshot stream's buffer (≤ 1 MiB) plus one upload part, whatever the database size.
 */
final class BackupJob implements Callable<BackupResult> {

  private static final Logger LOG = Logger.getLogger(BackupJob.class);
  /** Object metadata naming how the snapshot is stored (none or gzip), for whoever restores it. */
  static final String COMPRESSION_METADATA = "compression";
  /** The snapshot's etcd revision, in the object's metadata: what a restore starts from. */
  static final String REVISION_METADATA = BackupKeys.REVISION_METADATA;

  /** Thrown by {@link #call()}: the attempt failed, for this reason. */
  static final class AttemptFailed extends ReasonedFailure {
    private final BackupFailure failure;

    AttemptFailed(BackupFailure failure, Throwable cause) {
      super(failure.reason(), failure.message(), cause);
      this.failure = failure;
    }

    BackupFailure failure() {
      return failure;
    }
  }

  private final String member;
  private final String endpoint;
  private final EtcdClientSettings etcd;
  private final SnapshotOptions snapshotOptions;
  private final S3Settings store;
  private final String key;
  private final Map<String, String> identity;
  private final BackupCompression compression;
  /** The stream being uploaded, so {@link #stop} can end it from another thread. */
  private volatile SnapshotStream snapshot;
  private volatile boolean stopped;

  /** @param identity metadata that says whose backup the object is (namespace, name, cluster) */
  BackupJob(String member, String endpoint, EtcdClientSettings etcd, SnapshotOptions snapshotOptions,
      S3Settings store, String key, Map<String, String> identity, BackupCompression compression) {
    this.member = member;
    this.endpoint = endpoint;
    this.etcd = etcd;
    this.snapshotOptions = snapshotOptions;
    this.store = store;
    this.key = key;
    this.identity = identity;
    this.compression = compression == null ? BackupCompression.None : compression;
  }

  @Override
  public BackupResult call() throws AttemptFailed {
    try {
      return attempt();
    } catch (AttemptFailed e) {
      if (stopped) {
        LOG.infof("the stopped backup to %s ended without an object: %s", store.at(key).uri(), e.getMessage());
      }
      throw e;
    }
  }

  private BackupResult attempt() throws AttemptFailed {
    Instant started = Instant.now();
    try (SnapshotStream snapshot = SnapshotStream.open(endpoint, etcd, snapshotOptions);
        ObjectStore objects = ObjectStore.connect(store)) {
      this.snapshot = snapshot;
      if (stopped) {
        throw new IOException("stopped before the upload began");
      }
      sweepEarlierAttempts(objects, started);
      MaintenanceStatus source = snapshot.memberStatus();
      Map<String, String> metadata = new LinkedHashMap<>(identity);
      metadata.put(REVISION_METADATA, Long.toString(source.revision()));
      metadata.put(BackupKeys.VERSION_METADATA, source.version());
      metadata.put("etcd-cluster-id", source.clusterIdHex());
      metadata.put("etcd-member", member);
      metadata.put(COMPRESSION_METADATA, compression.name().toLowerCase(Locale.ROOT));
      // the snapshot's size bounds the object's either way: it sizes the upload's parts
      UploadResult upload = objects.upload(stored(snapshot), key, metadata, OptionalLong.of(snapshot.size()));
      return new BackupResult(upload, source, member);
    } catch (ObjectStoreException e) {
      Failure failure = e.failure();
      if (Failure.SOURCE_FAILED.equals(failure.reason())) {
        throw new AttemptFailed(BackupFailure.transientFailure(BackupFailure.SNAPSHOT_FAILED,
            "the snapshot from " + member + " broke off: " + rootMessage(e)), e);
      }
      throw new AttemptFailed(new BackupFailure(failure.reason(), failure.message(), !failure.isTransient()), e);
    } catch (IOException e) {
      throw new AttemptFailed(BackupFailure.transientFailure(BackupFailure.SNAPSHOT_FAILED,
          "no snapshot from " + member + " (" + endpoint + "): " + rootMessage(e)), e);
    }
  }

  /**
   * Ends the attempt from another thread: the snapshot stream closes, so the upload reading it fails and aborts its
   * multipart upload, and no object appears under the key.
   */
  void stop() {
    stopped = true;
    SnapshotStream current = snapshot;
    if (current != null) {
      current.close();
    }
  }

  private InputStream stored(SnapshotStream snapshot) throws IOException {
    return compression == BackupCompression.Gzip ? new GzipCompressingStream(snapshot) : snapshot;
  }

  /**
   * An earlier attempt cut off from the store (the store died mid-upload, the operator was killed) could not abort
   * its multipart upload: its parts stay stored, and billed, though no listing of objects shows them. Each attempt
   * first removes what was started under this key's staging prefix before it began; only this key's, so no other
   * backup's upload is touched. Best effort: a store that is down fails the upload just after anyway, with its own
   * reason, and a store that refuses the listing (a policy without ListBucketMultipartUploads) must not stop backups.
   */
  private void sweepEarlierAttempts(ObjectStore objects, Instant started) {
    try {
      int removed = objects.sweepAbandoned(ObjectKeys.stagingPrefix(key), started);
      if (removed > 0) {
        LOG.infof("removed %d staging object(s) and upload(s) earlier attempts left at %s", removed,
            store.at(key).uri());
      }
    } catch (ObjectStoreException e) {
      LOG.warnf("could not sweep what earlier attempts left at %s: %s", store.at(key).uri(), e.getMessage());
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
  }
}
