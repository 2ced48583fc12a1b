package dev.quorum.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.BackupPhase;
import dev.quorum.api.v1alpha1.ClusterBootstrap;
import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.SnapshotSource;
import dev.quorum.backup.TestBackups;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.RigSession;
import dev.quorum.rig.S3Server;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Restores on the rig: a real 3-member cluster holding 10,000 keys, backed up by the operator's jar to the rig's S3
 * server, restored by member pods whose init containers run the operator's tool mode and the cluster's own etcdutl.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdRestoreIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static final int KEYS = 10_000;
  static final String PREFIX = "/keys/";
  static String ns;
  static KubernetesClient kube;
  static OperatorProcess operator;
  static S3Server s3;
  static String bucket;
  static EtcdBackupStatus backedUp;

  @BeforeAll
  static void aClusterWithKeysAndItsBackup() throws Exception {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    operator = OperatorProcess.start(RIG.rig(), "restore-it", Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "5s"));
    s3 = RIG.rig().s3();
    bucket = s3.createBucket("restores-" + System.nanoTime());
    kube.resource(new SecretBuilder().withNewMetadata().withName("s3").withNamespace(ns).endMetadata()
        .addToStringData("AWS_ACCESS_KEY_ID", s3.accessKey())
        .addToStringData("AWS_SECRET_ACCESS_KEY", s3.secretKey()).build()).create();
    // on volume claims, retained when the cluster is deleted (the default)
    createCluster("src", spec -> { });
    awaitAvailable("src");
    try (TestEtcd etcd = TestEtcd.at(ns, "src-0")) {
      etcd.putKeys(PREFIX, KEYS);
    }
    backedUp = awaitBackup(kube.resources(EtcdBackup.class).inNamespace(ns)
        .resource(TestBackups.toS3(ns, "before", "src", s3, bucket, "s3", null)).create());
    assertThat(backedUp.getPhase()).as(backedUp.getMessage()).isEqualTo(BackupPhase.Succeeded);
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  @Order(1)
  void aNewClusterBootstrappedFromTheBackupHoldsEveryKeyAndRestoresOnlyOnce() throws Exception {
    try (TestEtcd etcd = TestEtcd.at(ns, "src-0")) {
      assertThat(etcd.deletePrefix(PREFIX)).isEqualTo(KEYS);
    }

    createCluster("copy", spec -> spec.setBootstrap(restoreFrom("before")));
    awaitAvailable("copy");

    try (TestEtcd etcd = TestEtcd.at(ns, "copy-0")) {
      assertThat(etcd.read(PREFIX)).isEqualTo(TestEtcd.expected(PREFIX, KEYS));
      assertThat(etcd.revision()).isGreaterThanOrEqualTo(backedUp.getRevision());
    }
    EtcdCluster copy = cluster("copy");
    assertThat(copy.getStatus().getReadyMembers()).isEqualTo(3);
    assertThat(copy.getStatus().getClusterID()).as("a cluster of its own").isNotEqualTo(cluster("src").getStatus().getClusterID());
    String uidPrefix = copy.getMetadata().getUid().substring(0, 8);
    assertThat(kube.persistentVolumeClaims().inNamespace(ns).list().getItems()).extracting(c -> c.getMetadata().getName())
        .contains("data-copy-0-" + uidPrefix, "data-copy-1-" + uidPrefix, "data-copy-2-" + uidPrefix);

    // once every member started, the snapshot leaves the records: a recreated pod starts from its own data
    await("the restore leaves the members' records").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> kube.configMaps().inNamespace(ns).withName("copy-members").get().getData().values().stream()
            .noneMatch(record -> record.contains("restore-from")));
    ConfigMap records = kube.configMaps().inNamespace(ns).withName("copy-members").get();
    assertThat(records.getData().get("copy-1")).contains("data-claim: data-copy-1-" + uidPrefix);
    try (TestEtcd etcd = TestEtcd.at(ns, "copy-0")) {
      etcd.put("/after-restore", "kept");
    }
    Pod before = kube.pods().inNamespace(ns).withName("copy-1").get();
    assertThat(before.getSpec().getInitContainers()).extracting(c -> c.getName())
        .containsExactly("fetch-snapshot", "restore-snapshot", "install-restored");
    kube.pods().inNamespace(ns).withName("copy-1").delete();
    await("copy-1 recreated and ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
      Pod pod = kube.pods().inNamespace(ns).withName("copy-1").get();
      return pod != null && !pod.getMetadata().getUid().equals(before.getMetadata().getUid())
          && cluster("copy").getStatus().getReadyMembers() == 3;
    });
    assertThat(kube.pods().inNamespace(ns).withName("copy-1").get().getSpec().getInitContainers()).isEmpty();
    try (TestEtcd etcd = TestEtcd.at(ns, "copy-1")) {
      assertThat(etcd.read("/after-restore")).containsEntry("/after-restore", "kept");
      assertThat(etcd.read(PREFIX)).hasSize(KEYS);
    }
  }

  @Test
  @Order(2)
  void aDeletedClusterIsRestoredUnderItsOwnNameBesideItsRetainedClaims() throws Exception {
    List<String> retained = List.of("data-src-0", "data-src-1", "data-src-2");
    kube.resources(EtcdCluster.class).inNamespace(ns).withName("src").delete();
    await("src and its pods gone").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> cluster("src") == null && kube.pods().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", "src")
            .list().getItems().isEmpty());

    createCluster("src", spec -> spec.setBootstrap(restoreFrom("before")));
    awaitAvailable("src");

    try (TestEtcd etcd = TestEtcd.at(ns, "src-2")) {
      assertThat(etcd.read(PREFIX)).isEqualTo(TestEtcd.expected(PREFIX, KEYS));
    }
    assertThat(kube.persistentVolumeClaims().inNamespace(ns).list().getItems())
        .extracting(PersistentVolumeClaim::getMetadata).extracting(m -> m.getName())
        .as("the claims of the deleted cluster are kept, untouched").containsAll(retained);
  }

  static ClusterBootstrap restoreFrom(String backup) {
    SnapshotSource source = new SnapshotSource();
    source.setBackup(backup);
    ClusterBootstrap bootstrap = new ClusterBootstrap();
    bootstrap.setRestore(source);
    return bootstrap;
  }

  static void createCluster(String name, Consumer<EtcdClusterSpec> customize) {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setSize(3);
    spec.getStorage().setSize("256Mi");
    customize.accept(spec);
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    cluster.setSpec(spec);
    kube.resources(EtcdCluster.class).inNamespace(ns).resource(cluster).create();
  }

  static EtcdCluster cluster(String name) {
    return kube.resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
  }

  static void awaitAvailable(String name) {
    await(name + " Available").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
      if (!operator.isAlive()) {
        throw new IllegalStateException("the operator exited:\n" + operator.logTail(40));
      }
      EtcdCluster cluster = cluster(name);
      return cluster != null && cluster.getStatus() != null && cluster.getStatus().getReadyMembers() == 3
          && condition(cluster, ConditionTypes.AVAILABLE).map(c -> "True".equals(c.getStatus())).orElse(false);
    });
  }

  static java.util.Optional<Condition> condition(EtcdCluster cluster, String type) {
    return cluster.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  static EtcdBackupStatus awaitBackup(EtcdBackup backup) {
    String name = backup.getMetadata().getName();
    await(name + " finished").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
      EtcdBackup current = kube.resources(EtcdBackup.class).inNamespace(ns).withName(name).get();
      return current.getStatus() != null && current.getStatus().getPhase() != null
          && current.getStatus().getPhase().finished();
    });
    return kube.resources(EtcdBackup.class).inNamespace(ns).withName(name).get().getStatus();
  }
}
