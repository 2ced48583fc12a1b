package dev.quorum.restore;

import dev.quorum.api.v1alpha1.SnapshotSource;
import dev.quorum.backup.BackupKeys;
import dev.quorum.backup.S3Secrets;
import dev.quorum.model.RestoreSource;
import dev.quorum.objectstore.Failure;
import dev.quorum.objectstore.ObjectInfo;
import dev.quorum.objectstore.ObjectStore;
import dev.quorum.objectstore.ObjectStoreException;
import dev.quorum.objectstore.S3Settings;
import dev.quorum.podtool.RestoreTool;
import dev.quorum.podtool.SnapshotVerifier;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What a restore checks before it creates or stops anything: the source resolves (the backup exists and Succeeded),
 * the access key is there, the object exists, and reading it whole proves its SHA-256 and etcd's own checksum. The
 * object is streamed through {@link SnapshotVerifier} and not kept: memory stays bounded whatever its size.
 */
@ApplicationScoped
public class SourceCheck {

  /**
   * The outcome: the source, verified, with what is known of it; or why it cannot be restored.
   *
   * @param revision the snapshot's etcd revision, when the object's metadata says it (a backup's does)
   * @param etcdVersion the etcd version the snapshot was taken from, when the object's metadata says it
   */
  public record Result(Optional<RestoreSource> source, Optional<SnapshotVerifier.Verified> verified,
      Optional<Long> revision, Optional<String> etcdVersion, String reason, String message, boolean transientFailure) {

    static Result passed(RestoreSource source, SnapshotVerifier.Verified verified, Optional<Long> revision,
        Optional<String> etcdVersion) {
      return new Result(Optional.of(source), Optional.of(verified), revision, etcdVersion, null, null, false);
    }

    static Result refused(String reason, String message) {
      return new Result(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), reason, message, false);
    }

    static Result retry(String reason, String message) {
      return new Result(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), reason, message, true);
    }

    public boolean passed() {
      return source.isPresent();
    }
  }

  /** The check itself failed (the API server did not answer): retried like a store that did not. */
  static final String CHECK_FAILED = "SourceCheckFailed";

  private final KubernetesClient kube;
  private final RestoreSources sources;
  /** Checks in progress or done and not yet used, by restore UID. */
  private final Map<String, CompletableFuture<Result>> inBackground = new ConcurrentHashMap<>();
  /** Few: each check streams a whole object; daemon threads, so an abandoned check never holds the JVM. */
  private final ExecutorService checks = Executors.newFixedThreadPool(2, runnable -> {
    Thread thread = new Thread(runnable, "restore-source-check");
    thread.setDaemon(true);
    return thread;
  });

  public SourceCheck(KubernetesClient kube, RestoreSources sources) {
    this.kube = kube;
    this.sources = sources;
  }

  /** Starts checking a restore's source on a thread of its own, unless a check of it runs or waits to be used. */
  public void start(String restoreUid, String namespace, SnapshotSource spec) {
    inBackground.computeIfAbsent(restoreUid,
        uid -> CompletableFuture.supplyAsync(() -> check(namespace, spec), checks)
            .exceptionally(e -> Result.retry(CHECK_FAILED, "checking the source failed: " + e.getMessage())));
  }

  /** The result of the restore's check once it is done; kept until {@link #forget}, so no pass misses it. */
  public Optional<Result> result(String restoreUid) {
    CompletableFuture<Result> check = inBackground.get(restoreUid);
    return check != null && check.isDone() ? Optional.of(check.join()) : Optional.empty();
  }

  /** Drops the restore's check once its result is used (the next {@link #start} checks anew) or no longer wanted. */
  public void forget(String restoreUid) {
    inBackground.remove(restoreUid);
  }

  public Result check(String namespace, SnapshotSource spec) {
    RestoreSources.Resolution resolution = sources.resolve(namespace, spec);
    if (resolution.source().isEmpty()) {
      return Result.refused(resolution.reason(), resolution.message());
    }
    RestoreSource source = resolution.source().get();
    S3Settings settings = RestoreTool.store(source);
    if (source.credentials().isPresent()) {
      RestoreSource.CredentialsSecret secret = source.credentials().get();
      try {
        settings = settings.withCredentials(S3Secrets.read(kube, namespace, secret.name(), secret.accessKeyIdKey(),
            secret.secretAccessKeyKey()));
      } catch (S3Secrets.Missing e) {
        return Result.refused(e.reason(), e.getMessage());
      }
    }
    String what = source.uri();
    try (ObjectStore store = ObjectStore.connect(settings)) {
      Optional<ObjectInfo> object = store.head(source.key());
      if (object.isEmpty()) {
        return Result.refused(Failure.OBJECT_NOT_FOUND, "there is no object " + what + " (at "
            + settings.endpointDescription() + ")");
      }
      Optional<String> expected = source.sha256().or(() -> object.get().sha256Hex());
      SnapshotVerifier.Verified verified;
      try (InputStream in = store.openForRead(source.key())) {
        verified = SnapshotVerifier.verify(in, what, expected);
      }
      // members verify the same bytes again when they fetch them: with the checksum just proven, if none was known
      RestoreSource checked = source.withSha256(Optional.of(verified.storedSha256()));
      Optional<Long> revision = Optional.ofNullable(object.get().metadata().get(BackupKeys.REVISION_METADATA))
          .flatMap(SourceCheck::parseLong);
      return Result.passed(checked, verified, revision,
          Optional.ofNullable(object.get().metadata().get(BackupKeys.VERSION_METADATA)).map(String::strip));
    } catch (SnapshotVerifier.SnapshotRejected e) {
      return Result.refused(e.reason(), e.getMessage());
    } catch (ObjectStoreException e) {
      return e.isTransient() ? Result.retry(e.reason(), e.getMessage()) : Result.refused(e.reason(), e.getMessage());
    } catch (IOException | RuntimeException e) {
      return Result.retry(Failure.UNAVAILABLE, "reading " + what + " failed: " + e.getMessage());
    }
  }

  private static Optional<Long> parseLong(String text) {
    try {
      return Optional.of(Long.parseLong(text.strip()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
