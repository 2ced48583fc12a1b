package dev.quorum.backup;

import dev.quorum.api.v1alpha1.BackupCompression;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.S3Destination;

/** Where a backup's object goes: the key given, or one made from the prefix, the namespace, cluster and backup. */
public final class BackupKeys {

  /** The object metadata that carries the snapshot's etcd revision: what a restore of it starts from. */
  public static final String REVISION_METADATA = "etcd-revision";
  /** The object metadata that carries the etcd version of the member the snapshot came from. */
  public static final String VERSION_METADATA = "etcd-version";

  private BackupKeys() {}

  public static String key(EtcdBackup backup) {
    S3Destination s3 = backup.getSpec().getDestination().getS3();
    if (s3.getKey() != null && !s3.getKey().isBlank()) {
      return s3.getKey();
    }
    String own = backup.getMetadata().getNamespace() + "/" + backup.getSpec().getClusterName() + "/"
        + backup.getMetadata().getName() + extension(backup.getSpec().getCompression());
    String prefix = s3.getPrefix() == null ? "" : s3.getPrefix().replaceAll("^/+|/+$", "");
    return prefix.isEmpty() ? own : prefix + "/" + own;
  }

  /** What a key made from a prefix ends in: what the object holds. */
  static String extension(BackupCompression compression) {
    return compression == BackupCompression.Gzip ? ".db.gz" : ".db";
  }

  public static String location(EtcdBackup backup) {
    return "s3://" + backup.getSpec().getDestination().getS3().getBucket() + "/" + key(backup);
  }
}
