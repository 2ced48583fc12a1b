package dev.quorum.testing;

import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.BackupDestination;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupSpec;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.S3CredentialsSecret;
import dev.quorum.api.v1alpha1.S3Destination;
import dev.quorum.rig.RunningOperator;
import dev.quorum.rig.S3Server;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** EtcdBackups as tests and benchmarks write them: to a rig S3 server, path-style, with the access key in a Secret. */
public final class TestBackups {

  private TestBackups() {}

  /** @param key the whole object key, or null for the one made from namespace, cluster and backup name */
  public static EtcdBackup toS3(String namespace, String name, String cluster, S3Server s3, String bucket,
      String secret, String key) {
    BackupDestination to = destination(s3, bucket, secret);
    to.getS3().setKey(key);
    EtcdBackupSpec spec = new EtcdBackupSpec();
    spec.setClusterName(cluster);
    spec.setDestination(to);
    EtcdBackup backup = new EtcdBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    backup.setSpec(spec);
    return backup;
  }

  /** The rig's S3 server's bucket, reached with the access key in Secret {@code secret}; keys made per backup. */
  public static BackupDestination destination(S3Server s3, String bucket, String secret) {
    S3CredentialsSecret credentials = new S3CredentialsSecret();
    credentials.setName(secret);
    S3Destination destination = new S3Destination();
    destination.setBucket(bucket);
    destination.setEndpoint(s3.endpoint().toString());
    destination.setForcePathStyle(true);
    destination.setCredentialsSecret(credentials);
    BackupDestination to = new BackupDestination();
    to.setS3(destination);
    return to;
  }

  /** One bit of the backup's object flipped, its metadata (and so its expected SHA-256) kept. */
  public static void corrupt(S3Server s3, String bucket, EtcdBackup backup) {
    String key = backup.getStatus().getLocation().substring(("s3://" + bucket + "/").length());
    try (S3Client client = s3.client()) {
      var object = client.getObjectAsBytes(b -> b.bucket(bucket).key(key));
      byte[] bytes = object.asByteArray();
      bytes[bytes.length / 2] ^= 0x01;
      client.putObject(b -> b.bucket(bucket).key(key).metadata(object.response().metadata()),
          RequestBody.fromBytes(bytes));
    }
  }

  /** A Secret with the rig's S3 access key under the keys an EtcdBackup reads by default (made, or made so again). */
  public static void createCredentials(KubernetesClient kube, String namespace, String name, S3Server s3) {
    kube.resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .addToStringData("AWS_ACCESS_KEY_ID", s3.accessKey())
        .addToStringData("AWS_SECRET_ACCESS_KEY", s3.secretKey()).build()).createOr(existing -> existing.update());
  }

  /**
   * Backs {@code cluster} up into a new bucket of the rig's S3 server (credentials in Secret "s3") and waits until
   * the backup has finished; its status.
   */
  public static EtcdBackupStatus backUpToNewBucket(KubernetesClient kube, S3Server s3, String namespace, String name,
      String cluster, RunningOperator operator) {
    return backUpToNewBucket(kube, s3, namespace, name, cluster, operator::assertAlive);
  }

  /** @param operatorUp fails when the operator is gone, so the wait ends at once */
  public static EtcdBackupStatus backUpToNewBucket(KubernetesClient kube, S3Server s3, String namespace, String name,
      String cluster, Runnable operatorUp) {
    String bucket = s3.createBucket(cluster + "-" + System.nanoTime());
    createCredentials(kube, namespace, "s3", s3);
    kube.resources(EtcdBackup.class).inNamespace(namespace)
        .resource(toS3(namespace, name, cluster, s3, bucket, "s3", null)).create();
    return awaitFinished(kube, namespace, name, operatorUp, Duration.ofMinutes(2));
  }

  /** Waits until the EtcdBackup has Succeeded or Failed (failing at once if the operator exits); its status. */
  public static EtcdBackupStatus awaitFinished(KubernetesClient kube, String namespace, String name,
      RunningOperator operator, Duration atMost) {
    return awaitFinished(kube, namespace, name, operator::assertAlive, atMost);
  }

  /** @param operatorUp fails when the operator is gone, so the wait ends at once */
  public static EtcdBackupStatus awaitFinished(KubernetesClient kube, String namespace, String name,
      Runnable operatorUp, Duration atMost) {
    await(name + " finished").atMost(atMost).pollInterval(Duration.ofMillis(500)).until(() -> {
      operatorUp.run();
      EtcdBackup current = kube.resources(EtcdBackup.class).inNamespace(namespace).withName(name).get();
      return current.getStatus() != null && current.getStatus().getPhase() != null
          && current.getStatus().getPhase().finished();
    });
    return kube.resources(EtcdBackup.class).inNamespace(namespace).withName(name).get().getStatus();
  }
}
