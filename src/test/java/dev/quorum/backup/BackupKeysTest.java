package dev.quorum.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.v1alpha1.BackupCompression;
import dev.quorum.api.v1alpha1.BackupDestination;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupSpec;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.api.v1alpha1.MemberStatus;
import dev.quorum.api.v1alpha1.S3Destination;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupKeysTest {

  @Test
  void theKeyIsNamespaceClusterAndBackupUnderThePrefix() {
    assertThat(BackupKeys.key(backup(null, null))).isEqualTo("ns/demo/nightly.db");
    assertThat(BackupKeys.key(backup("etcd", null))).isEqualTo("etcd/ns/demo/nightly.db");
    assertThat(BackupKeys.key(backup("/etcd/backups/", null))).isEqualTo("etcd/backups/ns/demo/nightly.db");
    assertThat(BackupKeys.location(backup("etcd", null))).isEqualTo("s3://bucket/etcd/ns/demo/nightly.db");
  }

  @Test
  void aCompressedBackupsKeySaysSo() {
    EtcdBackup gzip = backup("etcd", null);
    gzip.getSpec().setCompression(BackupCompression.Gzip);
    assertThat(BackupKeys.key(gzip)).isEqualTo("etcd/ns/demo/nightly.db.gz");
    EtcdBackup exact = backup(null, "exact/one.db");
    exact.getSpec().setCompression(BackupCompression.Gzip);
    assertThat(BackupKeys.key(exact)).as("a key given stays as given").isEqualTo("exact/one.db");
  }

  @Test
  void aKeyGivenIsUsedAsItIs() {
    assertThat(BackupKeys.key(backup(null, "exact/one.db"))).isEqualTo("exact/one.db");
  }

  @Test
  void theSnapshotComesFromAReadyFollowerWhenThereIsOne() {
    EtcdCluster cluster = new EtcdCluster();
    EtcdClusterStatus status = new EtcdClusterStatus();
    status.setMembers(List.of(
        new MemberStatus("demo-0", "a", "p0", "http://demo-0:2379", true, true),
        new MemberStatus("demo-1", "b", "p1", "http://demo-1:2379", false, false),
        new MemberStatus("demo-2", "c", "p2", "http://demo-2:2379", true, false)));
    cluster.setStatus(status);
    assertThat(EtcdBackupReconciler.sourceMember(cluster)).map(MemberStatus::getName).contains("demo-2");

    status.setMembers(List.of(new MemberStatus("demo-0", "a", "p0", "http://demo-0:2379", true, true),
        new MemberStatus("demo-1", "b", "p1", "http://demo-1:2379", false, false)));
    assertThat(EtcdBackupReconciler.sourceMember(cluster)).map(MemberStatus::getName).contains("demo-0");

    status.setMembers(List.of(new MemberStatus("demo-1", "b", "p1", "http://demo-1:2379", false, false)));
    assertThat(EtcdBackupReconciler.sourceMember(cluster)).isEmpty();
    assertThat(EtcdBackupReconciler.sourceMember(new EtcdCluster())).isEmpty();
  }

  private static EtcdBackup backup(String prefix, String key) {
    S3Destination s3 = new S3Destination();
    s3.setBucket("bucket");
    s3.setPrefix(prefix);
    s3.setKey(key);
    BackupDestination destination = new BackupDestination();
    destination.setS3(s3);
    EtcdBackupSpec spec = new EtcdBackupSpec();
    spec.setClusterName("demo");
    spec.setDestination(destination);
    EtcdBackup backup = new EtcdBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName("nightly").withNamespace("ns").build());
    backup.setSpec(spec);
    return backup;
  }
}
