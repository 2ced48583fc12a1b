package dev.quorum.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.SnapshotSource;
import dev.quorum.rig.ChartOperator;
import dev.quorum.rig.RigSession;
import dev.quorum.rig.S3Server;
import dev.quorum.testing.Clusters;
import dev.quorum.testing.TestBackups;
import dev.quorum.testing.TestEtcd;
import dev.quorum.testing.TestRestores;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Snapshots of etcd 3.5 and 3.6 clusters both restore, into clusters of the same or a newer version: the target
 * spec's version is what runs, and its own etcdutl restores the snapshot.
 */
class RestoreVersionsIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession().withOperator(Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "5s"));
  static final String PREFIX = "/v/";
  static final int KEYS = 500;
  static String ns;
  static KubernetesClient kube;
  static ChartOperator operator;
  static S3Server s3;
  static String bucket;

  @BeforeAll
  static void operatorAndBucket() {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    operator = RIG.operator();
    s3 = RIG.rig().s3();
    bucket = s3.createBucket("versions-" + System.nanoTime());
    TestBackups.createCredentials(kube, ns, "s3", s3);
  }

  @Test
  void snapshotsOf35And36RestoreIntoTheSameOrANewerVersionAndAnOlderOneIsRefused() throws Exception {
    List<String> versions = RIG.rig().tools().etcdVersions().stream().sorted().toList();
    assertThat(versions).as("the rig builds a 3.5 and a 3.6 etcd")
        .anyMatch(v -> v.startsWith("3.5.")).anyMatch(v -> v.startsWith("3.6."));
    for (String from : versions) {
      String source = "v" + from.replace(".", "");
      createCluster(source, from);
      awaitAvailable(source);
      try (TestEtcd etcd = TestEtcd.at(RIG.client(), ns, source + "-0")) {
        etcd.putKeys(PREFIX, KEYS);
      }
      EtcdBackup backup = kube.resources(EtcdBackup.class).inNamespace(ns)
          .resource(TestBackups.toS3(ns, source + "-backup", source, s3, bucket, "s3", null)).create();
      EtcdBackupStatus backedUp = awaitBackup(backup);
      assertThat(backedUp.getPhase()).as(backedUp.getMessage()).isEqualTo(OperationPhase.Succeeded);
      assertThat(backedUp.getEtcdVersion()).isEqualTo(from);
      // never older than the snapshot's etcd: that is a downgrade, which etcd supports only within a running cluster
      for (String to : versions.stream().filter(v -> v.compareTo(from) >= 0).toList()) {
        String target = source + "-to-" + to.replace(".", "");
        EtcdRestoreStatus status = awaitRestore(createRestore(target, source + "-backup", target, to));
        assertThat(status.getPhase()).as(target + ": " + status.getMessage()).isEqualTo(OperationPhase.Succeeded);
        EtcdCluster restored = kube.resources(EtcdCluster.class).inNamespace(ns).withName(target).get();
        assertThat(restored.getStatus().getVersion()).as(target + " runs the target's version").isEqualTo(to);
        try (TestEtcd etcd = TestEtcd.at(RIG.client(), ns, target + "-0")) {
          assertThat(etcd.read(PREFIX)).as(target).isEqualTo(TestEtcd.expected(PREFIX, KEYS));
        }
        kube.resources(EtcdCluster.class).inNamespace(ns).withName(target).delete();
      }
      // an older target is refused before anything is created
      for (String older : versions.stream().filter(v -> v.compareTo(from) < 0).toList()) {
        String target = source + "-to-" + older.replace(".", "");
        EtcdRestoreStatus status = awaitRestore(createRestore(target, source + "-backup", target, older));
        assertThat(status.getPhase()).as(target).isEqualTo(OperationPhase.Failed);
        assertThat(status.getReason()).isEqualTo("VersionDowngrade");
        assertThat(status.getMessage()).contains("the snapshot comes from etcd " + from, "restore into version " + from);
        assertThat(kube.resources(EtcdCluster.class).inNamespace(ns).withName(target).get()).isNull();
      }
      kube.resources(EtcdCluster.class).inNamespace(ns).withName(source).delete();
    }
  }

  static void createCluster(String name, String version) {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setVersion(version);
    spec.getStorage().setEphemeral(true);
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    cluster.setSpec(spec);
    kube.resources(EtcdCluster.class).inNamespace(ns).resource(cluster).create();
  }

  static EtcdRestore createRestore(String name, String backup, String cluster, String version) {
    SnapshotSource source = new SnapshotSource();
    source.setBackup(backup);
    EtcdClusterSpec clusterSpec = new EtcdClusterSpec();
    clusterSpec.setVersion(version);
    clusterSpec.getStorage().setEphemeral(true);
    return TestRestores.createIntoNewCluster(kube, ns, name, cluster, source, clusterSpec);
  }

  static void awaitAvailable(String name) {
    Clusters.awaitAvailable(kube, ns, name, operator);
  }

  static EtcdBackupStatus awaitBackup(EtcdBackup backup) {
    return TestBackups.awaitFinished(kube, ns, backup.getMetadata().getName(), operator, Duration.ofMinutes(3));
  }

  static EtcdRestoreStatus awaitRestore(EtcdRestore restore) {
    return TestRestores.awaitFinished(kube, ns, restore.getMetadata().getName(), operator);
  }
}
