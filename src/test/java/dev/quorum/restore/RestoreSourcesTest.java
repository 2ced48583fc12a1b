package dev.quorum.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.S3CredentialsSecret;
import dev.quorum.api.v1alpha1.S3Destination;
import dev.quorum.api.v1alpha1.SnapshotSource;
import dev.quorum.model.RestoreSource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestoreSourcesTest {

  static EtcdBackup backup(OperationPhase phase) {
    S3Destination s3 = new S3Destination();
    s3.setBucket("backups");
    s3.setPrefix("etcd");
    s3.setEndpoint("http://s3:9000");
    s3.setForcePathStyle(true);
    S3CredentialsSecret secret = new S3CredentialsSecret();
    secret.setName("s3");
    s3.setCredentialsSecret(secret);
    EtcdBackup backup = new EtcdBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName("nightly").withNamespace("ns").build());
    backup.getSpec().setClusterName("orders");
    backup.getSpec().setDestination(new dev.quorum.api.v1alpha1.BackupDestination());
    backup.getSpec().getDestination().setS3(s3);
    EtcdBackupStatus status = new EtcdBackupStatus();
    status.setPhase(phase);
    status.setSha256("ab".repeat(32));
    backup.setStatus(status);
    return backup;
  }

  @Test
  void aSucceededBackupResolvesToItsObjectStoreAndChecksum() {
    RestoreSources.Resolution resolution = RestoreSources.fromBackup("ns", "nightly", backup(OperationPhase.Succeeded),
        Optional.empty());

    assertThat(resolution.source()).contains(new RestoreSource("backups", "etcd/ns/orders/nightly.db", "us-east-1",
        Optional.of("http://s3:9000"), true,
        Optional.of(new RestoreSource.CredentialsSecret("s3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")),
        Optional.of("ab".repeat(32))));
  }

  @Test
  void aGivenChecksumWinsOverTheBackups() {
    assertThat(RestoreSources.fromBackup("ns", "nightly", backup(OperationPhase.Succeeded), Optional.of("cd".repeat(32)))
        .source().orElseThrow().sha256()).contains("cd".repeat(32));
  }

  @Test
  void aMissingOrUnfinishedBackupIsRefusedNamingIt() {
    RestoreSources.Resolution missing = RestoreSources.fromBackup("ns", "nightly", null, Optional.empty());
    RestoreSources.Resolution running = RestoreSources.fromBackup("ns", "nightly", backup(OperationPhase.Running),
        Optional.empty());

    assertThat(missing.source()).isEmpty();
    assertThat(missing.reason()).isEqualTo(RestoreSources.BACKUP_NOT_FOUND);
    assertThat(missing.message()).isEqualTo("EtcdBackup nightly does not exist in namespace ns");
    assertThat(running.reason()).isEqualTo(RestoreSources.BACKUP_NOT_SUCCEEDED);
    assertThat(running.message()).contains("its phase is Running");
  }

  @Test
  void everySourceIsRestoredPastItsRevisionByDefaultUnlessTheUserSaysHowFarOrNotAtAll() {
    SnapshotSource source = new SnapshotSource();
    dev.quorum.api.v1alpha1.S3Object object = new dev.quorum.api.v1alpha1.S3Object();
    object.setBucket("backups");
    object.setKey("k.db");
    source.setS3(object);
    RestoreSources sources = new RestoreSources(null); // an object in a bucket: nothing to read from the API

    assertThat(sources.resolve("ns", source).source().orElseThrow().bumpRevision())
        .isEqualTo(SnapshotSource.DEFAULT_BUMP_REVISION);
    source.setBumpRevision(0L);
    assertThat(sources.resolve("ns", source).source().orElseThrow().bumpRevision()).isZero();
    source.setBumpRevision(5_000L);
    assertThat(sources.resolve("ns", source).source().orElseThrow().bumpRevision()).isEqualTo(5_000L);
  }
}
