package dev.quorum.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.ClusterBootstrap;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.S3CredentialsSecret;
import dev.quorum.api.v1alpha1.S3Object;
import dev.quorum.api.v1alpha1.SnapshotSource;
import dev.quorum.rig.ChartOperator;
import dev.quorum.rig.RigSession;
import dev.quorum.rig.S3Server;
import dev.quorum.testing.Clusters;
import dev.quorum.testing.TestBackups;
import dev.quorum.testing.TestEtcd;
import dev.quorum.testing.TestRestores;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Restores on the rig: a real 3-member cluster holding 10,000 keys, backed up by the operator's jar to the rig's S3
 * server, restored by member pods whose init containers run the operator's tool mode and the cluster's own etcdutl.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdRestoreIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession().withOperator(Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "5s"));
  static final int KEYS = 10_000;
  static final String PREFIX = "/keys/";
  static String ns;
  static KubernetesClient kube;
  static ChartOperator operator;
  static S3Server s3;
  static String bucket;
  static EtcdBackupStatus backedUp;

  @BeforeAll
  static void aClusterWithKeysAndItsBackup() throws Exception {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    operator = RIG.operator();
    s3 = RIG.rig().s3();
    bucket = s3.createBucket("restores-" + System.nanoTime());
    TestBackups.createCredentials(kube, ns, "s3", s3);
    // on volume claims, retained when the cluster is deleted (the default)
    createCluster("src", spec -> { });
    awaitAvailable("src");
    try (TestEtcd etcd = TestEtcd.at(RIG.client(), ns, "src-0")) {
      etcd.putKeys(PREFIX, KEYS);
    }
    backedUp = awaitBackup(kube.resources(EtcdBackup.class).inNamespace(ns)
        .resource(TestBackups.toS3(ns, "before", "src", s3, bucket, "s3", null)).create());
    assertThat(backedUp.getPhase()).as(backedUp.getMessage()).isEqualTo(OperationPhase.Succeeded);
  }

  @Test
  @Order(1)
  void aNewClusterBootstrappedFromTheBackupHoldsEveryKeyAndRestoresOnlyOnce() throws Exception {
    try (TestEtcd etcd = TestEtcd.at(RIG.client(), ns, "src-0")) {
      assertThat(etcd.deletePrefix(PREFIX)).isEqualTo(KEYS);
    }

    createCluster("copy", spec -> spec.setBootstrap(restoreFrom("before")));
    awaitAvailable("copy");

    try (TestEtcd etcd = TestEtcd.at(RIG.client(), ns, "copy-0")) {
      assertThat(etcd.read(PREFIX)).isEqualTo(TestEtcd.expected(PREFIX, KEYS));
      // past every revision the source had (bumped by default), and its history before that compacted: a client
      // that watched the source is told so instead of being served revisions again
      long restoredAt = backedUp.getRevision() + SnapshotSource.DEFAULT_BUMP_REVISION;
      assertThat(etcd.revision()).isGreaterThanOrEqualTo(restoredAt);
      assertThat(etcd.compactedRevisionFor(backedUp.getRevision() + 1)).contains(restoredAt);
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
    try (TestEtcd etcd = TestEtcd.at(RIG.client(), ns, "copy-0")) {
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
    try (TestEtcd etcd = TestEtcd.at(RIG.client(), ns, "copy-1")) {
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

    try (TestEtcd etcd = TestEtcd.at(RIG.client(), ns, "src-2")) {
      assertThat(etcd.read(PREFIX)).isEqualTo(TestEtcd.expected(PREFIX, KEYS));
    }
    assertThat(kube.persistentVolumeClaims().inNamespace(ns).list().getItems())
        .extracting(PersistentVolumeClaim::getMetadata).extracting(m -> m.getName())
        .as("the claims of the deleted cluster are kept, untouched").containsAll(retained);
  }

  @Test
  @Order(3)
  void anEtcdRestoreCreatesTheClusterFromTheBackupAndReportsWhatItRestored() throws Exception {
    EtcdRestore restore = createRestore("to-new", TestRestores.fromBackup("before"), "fresh", null);

    EtcdRestoreStatus status = awaitRestore(restore);

    assertThat(status.getPhase()).as(status.getMessage()).isEqualTo(OperationPhase.Succeeded);
    assertThat(status.getSnapshotRevision()).isEqualTo(backedUp.getRevision());
    assertThat(status.getRestoredRevision()).isEqualTo(backedUp.getRevision() + SnapshotSource.DEFAULT_BUMP_REVISION);
    assertThat(status.getSha256()).isEqualTo(backedUp.getSha256());
    assertThat(status.getSource()).isEqualTo(backedUp.getLocation());
    assertThat(status.getMessage()).contains("EtcdCluster fresh is restored from " + backedUp.getLocation(),
        "at revision " + status.getRestoredRevision(), "3 of 3 members ready");
    EtcdCluster fresh = cluster("fresh");
    assertThat(fresh.getMetadata().getUid()).isEqualTo(status.getClusterUID());
    assertThat(fresh.getSpec().getBootstrap().getRestore().getSha256()).isEqualTo(backedUp.getSha256());
    try (TestEtcd etcd = TestEtcd.at(RIG.client(), ns, "fresh-1")) {
      assertThat(etcd.read(PREFIX)).isEqualTo(TestEtcd.expected(PREFIX, KEYS));
    }
  }

  @Test
  @Order(4)
  void inPlaceTheClusterKeepsItsNameAndServiceAndGetsExactlyTheBackedUpKeys() throws Exception {
    // src, restored in test 2, holds the backed-up keys; it then changes: keys deleted, keys added
    try (TestEtcd etcd = TestEtcd.at(RIG.client(), ns, "src-0")) {
      etcd.deletePrefix(TestEtcd.key(PREFIX, 1));
      etcd.put("/after-backup/1", "written after the backup");
    }
    long sourceRevision;
    try (TestEtcd etcd = TestEtcd.at(RIG.client(), ns, "src-0")) {
      sourceRevision = etcd.revision();
    }
    EtcdCluster before = cluster("src");
    List<String> claimsBefore = claimsInUse("src");
    EtcdRestore restore = createRestore("in-place", TestRestores.fromBackup("before"), "src", true);

    EtcdRestoreStatus status = awaitRestore(restore);

    assertThat(status.getPhase()).as(status.getMessage()).isEqualTo(OperationPhase.Succeeded);
    EtcdCluster after = cluster("src");
    assertThat(after.getMetadata().getUid()).as("the same EtcdCluster").isEqualTo(before.getMetadata().getUid());
    assertThat(after.getStatus().getClusterID()).as("a new cluster identity").isNotEqualTo(before.getStatus().getClusterID());
    assertThat(after.getMetadata().getAnnotations()).doesNotContainKey("etcd.quorum.dev/restore-in-progress");
    // through the client Service, as the cluster's clients reach it
    String endpoint = "--endpoints=http://src-client." + ns + ".svc.cluster.local:2379";
    assertThat(RIG.etcdctl(endpoint, "get", "/after-backup/", "--prefix", "--count-only", "-w", "fields").output())
        .contains("\"Count\" : 0");
    assertThat(RIG.etcdctl(endpoint, "get", PREFIX, "--prefix", "--count-only", "-w", "fields").output())
        .contains("\"Count\" : " + KEYS);
    try (TestEtcd etcd = TestEtcd.at(RIG.client(), ns, "src-2")) {
      assertThat(etcd.read(PREFIX)).isEqualTo(TestEtcd.expected(PREFIX, KEYS));
      // a client that watched src up to its last revision before the restore is told that history is compacted, and
      // the next write gets a revision it never saw
      assertThat(etcd.compactedRevisionFor(sourceRevision + 1)).contains(status.getRestoredRevision());
      assertThat(status.getRestoredRevision()).isGreaterThan(sourceRevision);
      etcd.put("/after-restore/1", "new");
      assertThat(etcd.revision()).isGreaterThan(status.getRestoredRevision());
    }
    assertThat(status.getReplacedClaims()).containsExactlyInAnyOrderElementsOf(claimsBefore);
    await("the replaced data's claims deleted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> claimsOf("src").stream().noneMatch(claimsBefore::contains));
    assertThat(claimsOf("src")).as("the deleted namesake's retained claims are not this cluster's to delete")
        .contains("data-src-0", "data-src-1", "data-src-2");
  }

  @Test
  @Order(5)
  void aDamagedOrMissingSnapshotOrBackupIsRefusedAndNothingIsCreatedOrTouched() throws Exception {
    String originalKey = ns + "/src/before.db";
    Path copy = Files.createDirectories(Path.of("target", "restore-it")).resolve("flipped.db");
    try (S3Client client = s3.client()) {
      try (InputStream in = client.getObject(b -> b.bucket(bucket).key(originalKey))) {
        Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
      }
      byte[] bytes = Files.readAllBytes(copy);
      bytes[bytes.length / 2] ^= 0x01;
      client.putObject(b -> b.bucket(bucket).key("flipped.db").metadata(Map.of("sha256", backedUp.getSha256())),
          RequestBody.fromBytes(bytes));
    }
    EtcdBackup failedBackup = kube.resources(EtcdBackup.class).inNamespace(ns)
        .resource(TestBackups.toS3(ns, "of-nothing", "no-such-cluster", s3, bucket, "s3", null)).create();
    assertThat(awaitBackup(failedBackup).getPhase()).isEqualTo(OperationPhase.Failed);
    Map<String, String> podsBefore = podUids("src");

    record Case(String name, SnapshotSource source, String cluster, boolean inPlace, String reason, String... message) {}
    List<Case> cases = List.of(
        new Case("flipped", s3Source("flipped.db"), "from-flipped", false, "ChecksumMismatch",
            "s3://" + bucket + "/flipped.db has SHA-256", "but " + backedUp.getSha256() + " was expected"),
        new Case("flipped-in-place", s3Source("flipped.db"), "src", true, "ChecksumMismatch", "flipped.db"),
        new Case("missing-object", s3Source("no/such/key.db"), "from-missing", false, "ObjectNotFound",
            "s3://" + bucket + "/no/such/key.db"),
        new Case("missing-backup", TestRestores.fromBackup("no-such-backup"), "from-nothing", false, "BackupNotFound",
            "EtcdBackup no-such-backup does not exist"),
        new Case("failed-backup", TestRestores.fromBackup("of-nothing"), "from-failed", false, "BackupNotSucceeded",
            "EtcdBackup of-nothing has not Succeeded"),
        new Case("name-taken", TestRestores.fromBackup("before"), "copy", false, "ClusterExists",
            "EtcdCluster copy already exists"));
    for (Case c : cases) {
      createRestore(c.name(), c.source(), c.cluster(), c.inPlace());
    }
    for (Case c : cases) {
      EtcdRestoreStatus status = awaitRestore(kube.resources(EtcdRestore.class).inNamespace(ns).withName(c.name()).get());
      assertThat(status.getPhase()).as(c.name() + ": " + status.getMessage()).isEqualTo(OperationPhase.Failed);
      assertThat(status.getReason()).as(c.name()).isEqualTo(c.reason());
      assertThat(status.getMessage()).as(c.name()).contains(c.message());
      if (!c.inPlace() && !"copy".equals(c.cluster())) {
        assertThat(cluster(c.cluster())).as(c.name() + ": nothing created").isNull();
      }
    }
    assertThat(podUids("src")).as("the cluster a refused in-place restore named is untouched").isEqualTo(podsBefore);
    assertThat(cluster("src").getMetadata().getAnnotations()).doesNotContainKey("etcd.quorum.dev/restore-in-progress");
  }

  @Test
  @Order(6)
  void ofTwoInPlaceRestoresOfOneClusterAtOnceOneRunsAndTheOtherIsRefused() throws Exception {
    createRestore("first", TestRestores.fromBackup("before"), "copy", true);
    createRestore("second", TestRestores.fromBackup("before"), "copy", true);

    List<EtcdRestoreStatus> outcomes = List.of(
        awaitRestore(kube.resources(EtcdRestore.class).inNamespace(ns).withName("first").get()),
        awaitRestore(kube.resources(EtcdRestore.class).inNamespace(ns).withName("second").get()));

    assertThat(outcomes).extracting(EtcdRestoreStatus::getPhase)
        .containsExactlyInAnyOrder(OperationPhase.Succeeded, OperationPhase.Failed);
    EtcdRestoreStatus refused = outcomes.stream().filter(o -> o.getPhase() == OperationPhase.Failed).findFirst().orElseThrow();
    assertThat(refused.getReason()).isEqualTo("AnotherRestoreInProgress");
    assertThat(refused.getReplacedClaims()).as("the refused one touched nothing").isNull();
    awaitAvailable("copy");
    try (TestEtcd etcd = TestEtcd.at(RIG.client(), ns, "copy-0")) {
      assertThat(etcd.read(PREFIX)).isEqualTo(TestEtcd.expected(PREFIX, KEYS));
      assertThat(etcd.read("/after-restore")).as("written after the backup, gone").isEmpty();
    }
  }

  static SnapshotSource s3Source(String key) {
    S3Object object = new S3Object();
    object.setBucket(bucket);
    object.setKey(key);
    object.setEndpoint(s3.endpoint().toString());
    object.setForcePathStyle(true);
    S3CredentialsSecret secret = new S3CredentialsSecret();
    secret.setName("s3");
    object.setCredentialsSecret(secret);
    SnapshotSource source = new SnapshotSource();
    source.setS3(object);
    return source;
  }

  static EtcdRestore createRestore(String name, SnapshotSource source, String cluster, Boolean inPlace) {
    if (Boolean.TRUE.equals(inPlace)) {
      return TestRestores.createInPlace(kube, ns, name, cluster, source);
    }
    EtcdClusterSpec clusterSpec = new EtcdClusterSpec();
    clusterSpec.getStorage().setSize("256Mi");
    return TestRestores.createIntoNewCluster(kube, ns, name, cluster, source, clusterSpec);
  }

  static EtcdRestoreStatus awaitRestore(EtcdRestore restore) {
    return TestRestores.awaitFinished(kube, ns, restore.getMetadata().getName(), operator);
  }

  static List<String> claimsOf(String cluster) {
    return kube.persistentVolumeClaims().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", cluster).list()
        .getItems().stream().map(c -> c.getMetadata().getName()).toList();
  }

  /** The claims the cluster's member pods mount. */
  static List<String> claimsInUse(String cluster) {
    return kube.pods().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", cluster).list().getItems().stream()
        .flatMap(p -> p.getSpec().getVolumes().stream())
        .filter(v -> v.getPersistentVolumeClaim() != null)
        .map(v -> v.getPersistentVolumeClaim().getClaimName())
        .toList();
  }

  static Map<String, String> podUids(String cluster) {
    return kube.pods().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", cluster).list().getItems().stream()
        .collect(java.util.stream.Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
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
    Clusters.awaitAvailable(kube, ns, name, operator);
  }

  static java.util.Optional<Condition> condition(EtcdCluster cluster, String type) {
    return cluster.getStatus().condition(type);
  }

  static EtcdBackupStatus awaitBackup(EtcdBackup backup) {
    return TestBackups.awaitFinished(kube, ns, backup.getMetadata().getName(), operator, Duration.ofMinutes(3));
  }
}
