package dev.quorum.restore;

import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.S3Bucket;
import dev.quorum.api.v1alpha1.S3CredentialsSecret;
import dev.quorum.api.v1alpha1.SnapshotSource;
import dev.quorum.backup.BackupKeys;
import dev.quorum.model.RestoreSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Turns the snapshot a resource names (an EtcdBackup, or a bucket and key) into the {@link RestoreSource} members
 * are put on record with: the store, the key and the expected SHA-256, fixed at that moment, so a backup pruned
 * later does not change what a member restores.
 */
@ApplicationScoped
public class RestoreSources {

  public static final String BACKUP_NOT_FOUND = "BackupNotFound";
  public static final String BACKUP_NOT_SUCCEEDED = "BackupNotSucceeded";

  /** Either the source, or why there is none, naming what is missing. */
  public record Resolution(Optional<RestoreSource> source, String reason, String message) {

    static Resolution of(RestoreSource source) {
      return new Resolution(Optional.of(source), null, null);
    }

    static Resolution refused(String reason, String message) {
      return new Resolution(Optional.empty(), reason, message);
    }

    Resolution withBumpRevision(long bump) {
      return new Resolution(source.map(s -> s.withBumpRevision(bump)), reason, message);
    }
  }

  private final KubernetesClient kube;

  public RestoreSources(KubernetesClient kube) {
    this.kube = kube;
  }

  public Resolution resolve(String namespace, SnapshotSource source) {
    Optional<String> sha256 = Optional.ofNullable(source.getSha256()).filter(s -> !s.isBlank());
    Resolution resolution;
    if (source.getS3() != null) {
      resolution = Resolution.of(from(source.getS3(), source.getS3().getKey(), sha256));
    } else {
      EtcdBackup backup = kube.resources(EtcdBackup.class).inNamespace(namespace).withName(source.getBackup()).get();
      resolution = fromBackup(namespace, source.getBackup(), backup, sha256);
    }
    return resolution.withBumpRevision(source.bumpRevisionOrDefault());
  }

  /** Pure: what a backup (or its absence) resolves to. */
  static Resolution fromBackup(String namespace, String name, EtcdBackup backup, Optional<String> sha256) {
    if (backup == null) {
      return Resolution.refused(BACKUP_NOT_FOUND, "EtcdBackup " + name + " does not exist in namespace " + namespace);
    }
    OperationPhase phase = backup.getStatus() == null ? null : backup.getStatus().getPhase();
    if (phase != OperationPhase.Succeeded) {
      return Resolution.refused(BACKUP_NOT_SUCCEEDED, "EtcdBackup " + name + " has not Succeeded (its phase is "
          + (phase == null ? "not set yet" : phase) + "): only a completed backup can be restored");
    }
    Optional<String> expected = sha256.or(() -> Optional.ofNullable(backup.getStatus().getSha256()));
    return Resolution.of(from(backup.getSpec().getDestination().getS3(), BackupKeys.key(backup), expected));
  }

  private static RestoreSource from(S3Bucket bucket, String key, Optional<String> sha256) {
    Optional<RestoreSource.CredentialsSecret> credentials = Optional.ofNullable(bucket.getCredentialsSecret())
        .map(RestoreSources::credentials);
    return new RestoreSource(bucket.getBucket(), key, bucket.getRegion(), Optional.ofNullable(bucket.getEndpoint()),
        bucket.isForcePathStyle(), credentials, sha256);
  }

  private static RestoreSource.CredentialsSecret credentials(S3CredentialsSecret secret) {
    return new RestoreSource.CredentialsSecret(secret.getName(), secret.getAccessKeyIdKey(),
        secret.getSecretAccessKeyKey());
  }
}
