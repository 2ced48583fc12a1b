package dev.quorum.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorum.api.v1alpha1.BackupCompression;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.demo.Demo;
import dev.quorum.rig.ChartOperator;
import dev.quorum.rig.Pods;
import dev.quorum.rig.RigSession;
import dev.quorum.rig.S3Server;
import dev.quorum.testing.OperatorMetrics;
import dev.quorum.testing.TestBackups;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * EtcdBackup end to end on the rig: a real etcd cluster holding more than 64 MiB, streamed by the operator's jar to
 * the rig's real S3 server; and each problem only the operator can see ends Failed with a message naming it.
 */
class EtcdBackupIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession().withOperator(Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "5s"));
  static final ObjectMapper JSON = new ObjectMapper();
  static final int VALUES = 72;
  static final int VALUE_BYTES = 1024 * 1024;
  static String ns;
  static KubernetesClient kube;
  static ChartOperator operator;
  static S3Server s3;
  static String bucket;

  @BeforeAll
  static void clusterWithDataAndABucket() throws Exception {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    operator = RIG.operator();
    kube.resource(new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
        .withApiVersion("etcd.quorum.dev/v1alpha1").withKind("EtcdCluster")
        .withNewMetadata().withName("src").withNamespace(ns).endMetadata()
        .addToAdditionalProperties("spec", Map.of("size", 3, "storage", Map.of("ephemeral", true))).build()).create();
    await("src Available").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> Demo.isAvailable(kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns)
            .withName("src").get()));
    // the test process has no cluster DNS; a member's pod address is reachable from it
    try (Client etcd = Client.builder().endpoints("http://" + Pods.ip(RIG.client(), ns, "src-0") + ":2379").build()) {
      byte[] value = new byte[VALUE_BYTES];
      Random random = new Random(7);
      for (int i = 0; i < VALUES; i++) {
        random.nextBytes(value);
        etcd.getKVClient().put(ByteSequence.from("/data/" + i, java.nio.charset.StandardCharsets.UTF_8),
            ByteSequence.from(value)).get(30, TimeUnit.SECONDS);
      }
    }
    s3 = RIG.rig().s3();
    bucket = s3.createBucket("backups-" + System.nanoTime());
    kube.resource(new SecretBuilder().withNewMetadata().withName("s3").withNamespace(ns).endMetadata()
        .addToStringData("AWS_ACCESS_KEY_ID", s3.accessKey())
        .addToStringData("AWS_SECRET_ACCESS_KEY", s3.secretKey()).build()).create();
    kube.resource(new SecretBuilder().withNewMetadata().withName("s3-wrong").withNamespace(ns).endMetadata()
        .addToStringData("AWS_ACCESS_KEY_ID", "nobody")
        .addToStringData("AWS_SECRET_ACCESS_KEY", "not-the-secret").build()).create();
  }

  @Test
  void aClusterHoldingMoreThan64MiBIsStreamedToS3AndIsAValidSnapshot() throws Exception {
    EtcdBackupStatus status = awaitFinished(create(backup("full", "src", bucket, "s3")));
    assertThat(status.getPhase()).as(status.getMessage()).isEqualTo(OperationPhase.Succeeded);
    assertThat(status.getSizeBytes()).isGreaterThan(64L * 1024 * 1024);
    assertThat(status.getLocation()).isEqualTo("s3://" + bucket + "/" + ns + "/src/full.db");
    assertThat(status.getSourceMember()).startsWith("src-");
    assertThat(status.getEtcdVersion()).isEqualTo("3.6.16");
    assertThat(status.getClusterID()).isNotBlank();
    assertThat(status.getAttempts()).isEqualTo(1);

    String key = ns + "/src/full.db";
    try (S3Client client = s3.client()) {
      HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(key));
      assertThat(head.contentLength()).isEqualTo(status.getSizeBytes());
      assertThat(head.metadata()).containsEntry("sha256", status.getSha256())
          .containsEntry("etcd-revision", String.valueOf(status.getRevision()));
      Path file = Files.createDirectories(Path.of("target", "backup-it")).resolve("full.db");
      try (InputStream in = client.getObject(b -> b.bucket(bucket).key(key))) {
        Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      assertThat(sha256(file)).as("the object's bytes").isEqualTo(status.getSha256());
      JsonNode snapshot = snapshotStatus(file);
      assertThat(snapshot.path("revision").asLong()).isEqualTo(status.getRevision());
      assertThat(snapshot.path("totalKey").asLong()).isGreaterThanOrEqualTo(VALUES);
    }
    assertThat(metrics()).containsPattern(series("quorum_backup_last_success_timestamp_seconds", "src", null))
        .containsPattern(series("quorum_backup_last_size_bytes", "src", null) + " "
            + Pattern.quote(Double.toString(status.getSizeBytes())));
  }

  @Test
  void aGzipBackupIsTheGzipOfAValidSnapshotUnderADotGzKey() throws Exception {
    EtcdBackup gzip = backup("packed", "src", bucket, "s3");
    gzip.getSpec().setCompression(BackupCompression.Gzip);
    EtcdBackupStatus status = awaitFinished(create(gzip));
    assertThat(status.getPhase()).as(status.getMessage()).isEqualTo(OperationPhase.Succeeded);
    String key = ns + "/src/packed.db.gz";
    assertThat(status.getLocation()).isEqualTo("s3://" + bucket + "/" + key);

    try (S3Client client = s3.client()) {
      HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(key));
      assertThat(head.contentLength()).isEqualTo(status.getSizeBytes());
      assertThat(head.metadata()).containsEntry("sha256", status.getSha256()).containsEntry("compression", "gzip");
      Path dir = Files.createDirectories(Path.of("target", "backup-it"));
      Path object = dir.resolve("packed.db.gz");
      try (InputStream in = client.getObject(b -> b.bucket(bucket).key(key))) {
        Files.copy(in, object, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      assertThat(sha256(object)).as("the checksum is the stored object's").isEqualTo(status.getSha256());
      Path snapshot = dir.resolve("packed.db");
      try (InputStream in = new GZIPInputStream(Files.newInputStream(object))) {
        Files.copy(in, snapshot, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      assertThat(snapshotStatus(snapshot).path("revision").asLong()).isEqualTo(status.getRevision());
    }
  }

  @Test
  void aDeletedClustersBackupSeriesLeaveTheMetrics() throws Exception {
    kube.resource(new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
        .withApiVersion("etcd.quorum.dev/v1alpha1").withKind("EtcdCluster")
        .withNewMetadata().withName("brief").withNamespace(ns).endMetadata()
        .addToAdditionalProperties("spec", Map.of("size", 3, "storage", Map.of("ephemeral", true))).build()).create();
    EtcdBackupStatus status = awaitFinished(create(backup("brief-once", "brief", bucket, "s3")));
    assertThat(status.getPhase()).as(status.getMessage()).isEqualTo(OperationPhase.Succeeded);
    String lastSuccess = series("quorum_backup_last_success_timestamp_seconds", "brief", null);
    assertThat(metrics()).containsPattern(lastSuccess);

    kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns).withName("brief").delete();

    await("brief's series gone").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
        .until(() -> !Pattern.compile(lastSuccess).matcher(metrics()).find());
    assertThat(metrics()).as("no series of brief at all").doesNotContain("cluster=\"brief\",namespace=\"" + ns + "\"");
  }

  @Test
  void whatOnlyTheOperatorCanSeeEndsFailedWithAMessageNamingIt() throws Exception {
    record Case(EtcdBackup backup, String reason, String named) {}
    List<Case> cases = List.of(
        new Case(backup("no-cluster", "missing", bucket, "s3"), BackupFailure.CLUSTER_NOT_FOUND, "missing"),
        new Case(backup("no-secret", "src", bucket, "absent"), BackupFailure.SECRET_NOT_FOUND, "absent"),
        new Case(backup("no-bucket", "src", "no-such-bucket", "s3"), "BucketNotFound", "no-such-bucket"),
        new Case(backup("wrong-key", "src", bucket, "s3-wrong"), "AccessDenied", bucket));
    cases.forEach(c -> create(c.backup()));
    for (Case c : cases) {
      EtcdBackupStatus status = awaitFinished(c.backup());
      assertThat(status.getPhase()).as(c.backup().getMetadata().getName()).isEqualTo(OperationPhase.Failed);
      assertThat(status.getReason()).as(status.getMessage()).isEqualTo(c.reason());
      assertThat(status.getMessage()).contains(c.named());
      assertThat(kube.v1().events().inNamespace(ns).list().getItems()).as("a Warning event")
          .anyMatch(e -> c.backup().getMetadata().getName().equals(e.getInvolvedObject().getName())
              && "Warning".equals(e.getType()) && c.reason().equals(e.getReason()));
    }
    String metrics = metrics();
    for (Case c : cases) {
      assertThat(metrics).containsPattern(series("quorum_backup_failures_total", c.backup().getSpec().getClusterName(),
          c.reason()));
    }
    assertThat(operator.isAlive()).isTrue();
  }

  static EtcdBackup backup(String name, String cluster, String bucketName, String secret) {
    return TestBackups.toS3(ns, name, cluster, s3, bucketName, secret, null);
  }

  static EtcdBackup create(EtcdBackup backup) {
    return kube.resources(EtcdBackup.class).inNamespace(ns).resource(backup).create();
  }

  static EtcdBackupStatus awaitFinished(EtcdBackup backup) {
    String name = backup.getMetadata().getName();
    await(name + " finished").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() -> {
      if (!operator.isAlive()) {
        throw new IllegalStateException("the operator exited:\n" + operator.logTail(40));
      }
      EtcdBackup current = kube.resources(EtcdBackup.class).inNamespace(ns).withName(name).get();
      return current.getStatus() != null && current.getStatus().getPhase() != null
          && current.getStatus().getPhase().finished();
    });
    return kube.resources(EtcdBackup.class).inNamespace(ns).withName(name).get().getStatus();
  }

  /** The operator's Prometheus metrics, as it serves them at /q/metrics. */
  static String metrics() throws Exception {
    return OperatorMetrics.scrape(operator.metricsUrl());
  }

  /** A series of this test's namespace: {@code name{cluster="..",namespace="..",reason=".."}} (labels sorted). */
  static String series(String name, String cluster, String reason) {
    return Pattern.quote(name + "{cluster=\"" + cluster + "\",namespace=\"" + ns + "\""
        + (reason == null ? "" : ",reason=\"" + reason + "\"")) + ",?\\}";
  }

  /** What {@code etcdutl snapshot status} says of a snapshot file; it refuses anything else. */
  static JsonNode snapshotStatus(Path file) throws Exception {
    Process etcdutl = new ProcessBuilder(RIG.rig().tools().etcdBinary(RIG.rig().tools().defaultEtcdVersion(),
        "etcdutl").toString(), "snapshot", "status", file.toString(), "-w", "json").redirectErrorStream(true).start();
    String output = new String(etcdutl.getInputStream().readAllBytes());
    assertThat(etcdutl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(etcdutl.exitValue()).as(output).isZero();
    return JSON.readTree(output.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
  }

  static String sha256(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
