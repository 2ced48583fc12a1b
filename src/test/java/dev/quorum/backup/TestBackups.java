package dev.quorum.backup;

import dev.quorum.api.v1alpha1.BackupDestination;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupSpec;
import dev.quorum.api.v1alpha1.S3CredentialsSecret;
import dev.quorum.api.v1alpha1.S3Destination;
import dev.quorum.rig.S3Server;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** EtcdBackups as tests and benchmarks write them: to a rig S3 server, path-style, with the access key in a Secret. */
public final class TestBackups {

  private TestBackups() {}

  /** @param key the whole object key, or null for the one made from namespace, cluster and backup name */
  public static EtcdBackup toS3(String namespace, String name, String cluster, S3Server s3, String bucket,
      String secret, String key) {
    S3CredentialsSecret credentials = new S3CredentialsSecret();
    credentials.setName(secret);
    S3Destination destination = new S3Destination();
    destination.setBucket(bucket);
    destination.setEndpoint(s3.endpoint().toString());
    destination.setForcePathStyle(true);
    destination.setCredentialsSecret(credentials);
    destination.setKey(key);
    BackupDestination to = new BackupDestination();
    to.setS3(destination);
    EtcdBackupSpec spec = new EtcdBackupSpec();
    spec.setClusterName(cluster);
    spec.setDestination(to);
    EtcdBackup backup = new EtcdBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    backup.setSpec(spec);
    return backup;
  }
}
