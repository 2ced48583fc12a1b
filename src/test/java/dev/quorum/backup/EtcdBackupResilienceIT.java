package dev.quorum.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.demo.Demo;
import dev.quorum.objectstore.Failure;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.Pods;
import dev.quorum.rig.Rig;
import dev.quorum.rig.RigSession;
import dev.quorum.rig.S3Server;
import dev.quorum.testing.RandomValues;
import dev.quorum.testing.TestBackups;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Backups under strain, on the rig: a cluster holding more than 512 MiB, backed up by the operator's jar with a
 * 128 MiB heap, to an S3 server of this class's own (it is killed here, which the suite's shared one must not be).
 * The operator retries 3 times, 1 s then 2 s apart, so the outage test does not wait out the default 75 s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdBackupResilienceIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  /** ≥ 512 MiB of values, so the database (and the snapshot) is larger still. */
  static final int VALUES = 520;
  static final int MAX_ATTEMPTS = 3;
  static final String CLUSTER = "big";
  static final Path DIR = Path.of("target", "backup-resilience-it").toAbsolutePath();
  static String ns;
  static KubernetesClient kube;
  static S3Server s3;
  static OperatorProcess operator;
  static String bucket;

  @BeforeAll
  static void operatorWithASmallHeapAClusterOf512MiBAndAStoreOfOurOwn() throws Exception {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    Rig.deleteRecursively(DIR);
    Files.createDirectories(DIR.resolve("logs"));
    s3 = new S3Server(RIG.rig().tools(), DIR.resolve("s3"), DIR.resolve("logs"));
    bucket = s3.createBucket("resilience-" + System.nanoTime());
    operator = RIG.startOperatorProcess("backup-resilience", Map.of(
        "QUORUM_STATUS_REFRESH_INTERVAL", "5s",
        "QUORUM_BACKUP_MAX_ATTEMPTS", String.valueOf(MAX_ATTEMPTS),
        "QUORUM_BACKUP_FIRST_RETRY_DELAY", "1s"),
        // an OutOfMemoryError ends the process, which the tests notice, rather than leaving it limping on
        List.of("-Xmx128m", "-XX:+ExitOnOutOfMemoryError",
            "-Xlog:gc:file=" + DIR.resolve("logs").resolve("operator-gc.log")));
    kube.resource(new SecretBuilder().withNewMetadata().withName("s3").withNamespace(ns).endMetadata()
        .addToStringData("AWS_ACCESS_KEY_ID", s3.accessKey())
        .addToStringData("AWS_SECRET_ACCESS_KEY", s3.secretKey()).build()).create();
    kube.resource(new GenericKubernetesResourceBuilder()
        .withApiVersion("etcd.quorum.dev/v1alpha1").withKind("EtcdCluster")
        .withNewMetadata().withName(CLUSTER).withNamespace(ns).endMetadata()
        .addToAdditionalProperties("spec", Map.of("size", 3, "storage", Map.of("ephemeral", true))).build()).create();
    await(CLUSTER + " Available").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> Demo.isAvailable(kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns)
            .withName(CLUSTER).get()));
    long started = System.nanoTime();
    load();
    report("loaded %d MiB (%d values of 1 MiB, %d puts in flight) in %s", VALUES, VALUES, RandomValues.PUTS_IN_FLIGHT,
        since(started));
  }

  /** Random (incompressible) 1 MiB values, several puts in flight: one at a time would take minutes more. */
  static void load() throws Exception {
    // the test process has no cluster DNS; a member's pod address is reachable from it
    RandomValues.load("http://" + Pods.ip(RIG.client(), ns, CLUSTER + "-0") + ":2379", 0, VALUES,
        Duration.ofMinutes(5));
  }

  @AfterAll
  static void stopEverything() {
    try {
      if (kube != null && ns != null) {
        kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns).withName(CLUSTER).delete();
        // the members' data (~0.6 GB each) goes with their pods
        await(CLUSTER + " pods gone").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
            .ignoreExceptions().until(() -> kube.pods().inNamespace(ns).list().getItems().stream()
                .noneMatch(p -> p.getMetadata().getName().startsWith(CLUSTER + "-")));
      }
    } finally {
      try {
        if (operator != null) {
          operator.close();
        }
      } finally {
        if (s3 != null) {
          s3.close();
          try {
            Rig.deleteRecursively(DIR.resolve("s3"));
          } catch (IOException e) {
            System.out.println("[resilience] could not remove the S3 data: " + e);
          }
        }
      }
    }
  }

  @Test
  @Order(1)
  void anOperatorWith128MiBOfHeapBacksUpMoreThan512MiBAndTheObjectMatchesItsChecksum() throws Exception {
    long started = System.nanoTime();
    EtcdBackupStatus status = awaitFinished(create(backup("bounded", null)), Duration.ofMinutes(10));
    Duration took = since(started);
    assertThat(status.getPhase()).as(status.getMessage()).isEqualTo(OperationPhase.Succeeded);
    assertThat(status.getSizeBytes()).isGreaterThanOrEqualTo(512L * RandomValues.MIB);
    assertThat(status.getAttempts()).isEqualTo(1);
    assertThat(operator.isAlive()).as("the operator, within its 128 MiB heap").isTrue();
    String key = ns + "/" + CLUSTER + "/bounded.db";
    try (S3Client client = s3.client()) {
      HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(key));
      assertThat(head.contentLength()).isEqualTo(status.getSizeBytes());
      assertThat(head.metadata()).containsEntry("sha256", status.getSha256());
      long hashing = System.nanoTime();
      assertThat(streamedSha256(client, key)).as("the object's bytes, hashed as they are downloaded")
          .isEqualTo(status.getSha256());
      report("backup of %d bytes (%d MiB) with -Xmx128m: Succeeded in %s (attempts %d); object %d bytes, "
          + "sha256 %s verified by download in %s", status.getSizeBytes(), status.getSizeBytes() / RandomValues.MIB, took,
          status.getAttempts(), head.contentLength(), status.getSha256(), since(hashing));
      // half a GiB less on disk for the next test
      client.deleteObject(b -> b.bucket(bucket).key(key));
    }
  }

  @Test
  @Order(2)
  void theStoreKilledMidUploadFailsTheBackupAndLeavesNothingOnceANextOneHasRun() throws Exception {
    String key = ns + "/" + CLUSTER + "/cut.db";
    String staging = key + ".partial-";
    create(backup("cut", null));
    try (S3Client client = s3.client()) {
      // the upload is under way: the backup Running and parts of its staging upload stored
      AtomicReference<String> seen = new AtomicReference<>();
      await("cut's upload in progress").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
          .until(() -> {
            EtcdBackupStatus status = status("cut");
            if (status != null && status.getPhase() != null && status.getPhase().finished()) {
              throw new IllegalStateException("cut finished before its upload could be cut: " + status.getMessage());
            }
            if (status == null || status.getPhase() != OperationPhase.Running) {
              return false;
            }
            for (MultipartUpload upload : uploads(client, staging)) {
              int parts = client.listParts(b -> b.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()))
                  .parts().size();
              if (parts > 0) {
                seen.set(upload.key() + " with " + parts + " part(s) stored");
                return true;
              }
            }
            return false;
          });
      s3.kill();
      long killed = System.nanoTime();
      report("S3 killed mid-upload: %s", seen.get());

      EtcdBackupStatus failed = awaitFinished(backup("cut", null), Duration.ofMinutes(4));
      Duration toFailed = since(killed);
      assertThat(failed.getPhase()).as(failed.getMessage()).isEqualTo(OperationPhase.Failed);
      assertThat(failed.getReason()).as(failed.getMessage()).isEqualTo(Failure.UNAVAILABLE);
      assertThat(failed.getAttempts()).isEqualTo(MAX_ATTEMPTS);
      assertThat(failed.getMessage()).contains("gave up after " + MAX_ATTEMPTS + " attempts")
          .contains(s3.endpoint().getHost());
      assertThat(operator.isAlive()).isTrue();
      report("cut: Failed %s after the kill, attempts %d, reason %s: %s", toFailed, failed.getAttempts(),
          failed.getReason(), failed.getMessage());

      s3.start();
      assertThat(objectsUnder(client, key)).as("no object, no staging object").isEmpty();
      assertThatNoObject(client, key);
      List<MultipartUpload> left = uploads(client, staging);
      // the abort could not reach a dead store: this is what the next attempt has to sweep
      assertThat(left).as("the upload the dead store kept").isNotEmpty();
      report("S3 back on %s with the same data: %d multipart upload(s) the dead store kept from cut: %s",
          s3.endpoint(), left.size(), left.stream().map(MultipartUpload::key).toList());

      // the next backup to the same key sweeps them before it uploads
      long again = System.nanoTime();
      EtcdBackupStatus next = awaitFinished(create(backup("cut-again", key)), Duration.ofMinutes(10));
      Duration nextTook = since(again);
      assertThat(next.getPhase()).as(next.getMessage()).isEqualTo(OperationPhase.Succeeded);
      assertThat(next.getAttempts()).isEqualTo(1);
      assertThat(uploads(client, "")).as("multipart uploads in the bucket").isEmpty();
      assertThat(objectsUnder(client, key)).extracting(S3Object::key).as("only the final object").containsExactly(key);
      HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(key));
      assertThat(head.metadata()).containsEntry("sha256", next.getSha256());
      assertThat(head.contentLength()).isEqualTo(next.getSizeBytes());
      report("cut-again to %s: Succeeded in %s, %d bytes, no multipart uploads left in the bucket", key, nextTook,
          next.getSizeBytes());
    }
  }

  @Test
  @Order(3)
  void aBackupDeletedWhileItUploadsStopsAndLeavesNoObjectAndNoUpload() throws Exception {
    String key = ns + "/" + CLUSTER + "/gone.db";
    String staging = key + ".partial-";
    create(backup("gone", null));
    try (S3Client client = s3.client()) {
      await("gone's upload in progress").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
          .until(() -> {
            EtcdBackupStatus status = status("gone");
            if (status != null && status.getPhase() != null && status.getPhase().finished()) {
              throw new IllegalStateException("gone finished before it could be deleted: " + status.getMessage());
            }
            return status != null && status.getPhase() == OperationPhase.Running && !uploads(client, staging).isEmpty();
          });
      kube.resources(EtcdBackup.class).inNamespace(ns).withName("gone").delete();
      long deleted = System.nanoTime();

      await("the attempt stopped").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
          .until(() -> operator.logTail(200).contains("the stopped backup to s3://" + bucket + "/" + key
              + " ended without an object"));
      report("gone: deleted while uploading, the attempt ended %s later", since(deleted));
      assertThat(operator.logTail(200)).contains("EtcdBackup " + ns + "/gone was deleted while its backup ran");
      assertThat(uploads(client, staging)).as("its multipart upload aborted").isEmpty();
      assertThat(objectsUnder(client, key)).as("no object, no staging object").isEmpty();
      assertThat(operator.isAlive()).isTrue();
    }
  }

  static EtcdBackup backup(String name, String key) {
    return TestBackups.toS3(ns, name, CLUSTER, s3, bucket, "s3", key);
  }

  static EtcdBackup create(EtcdBackup backup) {
    return kube.resources(EtcdBackup.class).inNamespace(ns).resource(backup).create();
  }

  static EtcdBackupStatus status(String name) {
    EtcdBackup current = kube.resources(EtcdBackup.class).inNamespace(ns).withName(name).get();
    return current == null ? null : current.getStatus();
  }

  static EtcdBackupStatus awaitFinished(EtcdBackup backup, Duration atMost) {
    String name = backup.getMetadata().getName();
    await(name + " finished").atMost(atMost).pollInterval(Duration.ofMillis(500)).until(() -> {
      if (!operator.isAlive()) {
        throw new IllegalStateException("the operator exited:\n" + operator.logTail(40));
      }
      EtcdBackupStatus status = status(name);
      return status != null && status.getPhase() != null && status.getPhase().finished();
    });
    return status(name);
  }

  static List<MultipartUpload> uploads(S3Client client, String prefix) {
    return client.listMultipartUploads(b -> b.bucket(bucket).prefix(prefix)).uploads();
  }

  static List<S3Object> objectsUnder(S3Client client, String prefix) {
    return client.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).contents();
  }

  static void assertThatNoObject(S3Client client, String key) {
    try {
      client.headObject(b -> b.bucket(bucket).key(key));
      throw new AssertionError("an object under " + key);
    } catch (NoSuchKeyException expected) {
      // as it should be
    }
  }

  /** Hashed as it arrives: a 512 MiB object never sits in this JVM or on its disk. */
  static String streamedSha256(S3Client client, String key) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = client.getObject(b -> b.bucket(bucket).key(key))) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static Duration since(long nanos) {
    return Duration.ofMillis((System.nanoTime() - nanos) / 1_000_000);
  }

  /** To the test output and to target/backup-resilience-it/timings.txt, which outlives the run's console. */
  static void report(String format, Object... args) {
    String line = "[resilience] " + Instant.now() + " " + String.format(format, args);
    System.out.println(line);
    try {
      Files.writeString(DIR.resolve("timings.txt"), line + "\n", StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.out.println("[resilience] cannot write timings.txt: " + e);
    }
  }
}
