package dev.quorum.bench;

import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.api.v1alpha1.EtcdTuning;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.SnapshotSource;
import dev.quorum.rig.ManagedProcess;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.QuorumCrds;
import dev.quorum.rig.Rig;
import dev.quorum.rig.S3Server;
import dev.quorum.testing.TestBackups;
import dev.quorum.testing.TestRestores;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Restore of a backup into a new 3-member cluster, to Available: the operator's EtcdRestore (it reads the object once
 * to verify it, then each member fetches, verifies and restores it in its init containers, in parallel) next to what a
 * user does by hand (download the object, {@code etcdutl snapshot restore} once per member, start the three members
 * and wait until all are healthy), on one rig and one S3 server, alternating within each round.
 *
 * <p>Run through {@code bench/restore.sh [--rounds N] [--warmup N] [--size MiB]}.
 */
public final class RestoreBench {

  static final String NS = "bench";
  static final String SOURCE = "source";
  static final String RIG_NAME = "bench-restore";
  static final Path REPORT = Path.of("target", "bench", "restore.md");
  static final Path WORK = Path.of("target", "bench", "restore").toAbsolutePath();
  /** The hand-run members' addresses: loopback, outside the rig's pod and node ranges. */
  static final List<String> MANUAL_HOSTS = List.of("127.0.30.1", "127.0.30.2", "127.0.30.3");
  static final long QUOTA = 4L * 1024 * 1024 * 1024;

  record Round(String label, boolean warmup, String order, Duration operator, Duration manual, Duration download,
      Duration restores, Duration start) {}

  public static void main(String[] args) {
    BenchMachine.runAndExit(args, RestoreBench::run);
  }

  static void run(String[] args) throws Exception {
    int rounds = BenchMachine.intArg(args, "--rounds", 3);
    int warmup = BenchMachine.intArg(args, "--warmup", 1);
    int size = BenchMachine.intArg(args, "--size", 1100);
    PrintStream out = System.out;
    String loadBefore = BenchMachine.loadAverage();
    Instant started = Instant.now();
    Rig.deleteRecursively(WORK);
    Files.createDirectories(WORK);
    List<Round> results = new ArrayList<>();
    try (Rig rig = Rig.start(RIG_NAME, 3)) {
      KubernetesClient kube = rig.client();
      QuorumCrds.install(kube);
      S3Server s3 = rig.s3();
      String bucket = s3.createBucket("bench-" + System.currentTimeMillis());
      try (OperatorProcess operator = OperatorProcess.start(rig, "bench", Map.of())) {
        BenchMachine.createNamespace(kube, NS);
        TestBackups.createCredentials(kube, NS, "s3", s3);

        // the backup both sides restore: a 3-member cluster holding `size` MiB of 1 MiB random values
        BackupToS3Bench.createCluster(kube);
        BackupToS3Bench.Bench loader = new BackupToS3Bench.Bench(rig, kube, s3, bucket, operator, 0);
        long loading = System.nanoTime();
        loader.load(0, size);
        out.printf("==> loaded %d MiB in %s s%n", size, BenchMachine.seconds(BackupToS3Bench.since(loading)));
        EtcdBackupStatus backup = backUp(kube, s3, bucket);
        out.printf("==> backed up: %s, %d bytes, revision %d%n", backup.getLocation(), backup.getSizeBytes(),
            backup.getRevision());
        kube.resources(EtcdCluster.class).inNamespace(NS).withName(BackupToS3Bench.CLUSTER).delete();
        awaitNoPods(kube);

        Sides sides = new Sides(rig, kube, s3, bucket, backup);
        for (int i = 0; i < warmup + rounds; i++) {
          boolean isWarmup = i < warmup;
          String label = isWarmup ? "w" + (i + 1) : String.valueOf(i - warmup + 1);
          boolean operatorFirst = isWarmup || (i - warmup) % 2 == 0;
          Duration op = null;
          Manual manual = null;
          for (int side = 0; side < 2; side++) {
            if ((side == 0) == operatorFirst) {
              op = sides.operator("r-" + label);
              out.printf("    round %s operator: %s s%n", label, BenchMachine.seconds(op));
            } else {
              manual = sides.manual();
              out.printf("    round %s manual: %s s (download %s + 3 restores %s + start %s)%n", label,
                  BenchMachine.seconds(manual.total()), BenchMachine.seconds(manual.download()),
                  BenchMachine.seconds(manual.restores()), BenchMachine.seconds(manual.start()));
            }
          }
          results.add(new Round(label, isWarmup, operatorFirst ? "op, manual" : "manual, op", op, manual.total(),
              manual.download(), manual.restores(), manual.start()));
        }
        String report = report(results, size, backup, started, loadBefore, BenchMachine.loadAverage());
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, report);
        out.println();
        out.print(report);
        out.println("==> written to " + REPORT.toAbsolutePath());
      } finally {
        kube.resources(EtcdCluster.class).inNamespace(NS).delete();
        awaitNoPods(kube);
        Rig.deleteRecursively(rig.dir().resolve("s3"));
        Rig.deleteRecursively(WORK);
      }
    }
  }

  static EtcdBackupStatus backUp(KubernetesClient kube, S3Server s3, String bucket) {
    kube.resources(EtcdBackup.class).inNamespace(NS)
        .resource(TestBackups.toS3(NS, "bench", BackupToS3Bench.CLUSTER, s3, bucket, "s3", "bench.db")).create();
    await("backup").atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
      EtcdBackupStatus status = kube.resources(EtcdBackup.class).inNamespace(NS).withName("bench").get().getStatus();
      return status != null && status.getPhase() != null && status.getPhase().finished();
    });
    EtcdBackupStatus status = kube.resources(EtcdBackup.class).inNamespace(NS).withName("bench").get().getStatus();
    if (status.getPhase() != OperationPhase.Succeeded) {
      throw new IllegalStateException("the backup " + status.getPhase() + ": " + status.getMessage());
    }
    return status;
  }

  static void awaitNoPods(KubernetesClient kube) {
    await("members gone").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> kube.pods().inNamespace(NS).list().getItems().isEmpty());
  }

  record Manual(Duration total, Duration download, Duration restores, Duration start) {}

  static final class Sides {
    final Rig rig;
    final KubernetesClient kube;
    final S3Server s3;
    final String bucket;
    final EtcdBackupStatus backup;

    Sides(Rig rig, KubernetesClient kube, S3Server s3, String bucket, EtcdBackupStatus backup) {
      this.rig = rig;
      this.kube = kube;
      this.s3 = s3;
      this.bucket = bucket;
      this.backup = backup;
    }

    /** EtcdRestore into a new cluster (as the source: ephemeral, the same quota), from create to Succeeded. */
    Duration operator(String name) {
      SnapshotSource source = new SnapshotSource();
      source.setBackup("bench");
      EtcdClusterSpec clusterSpec = new EtcdClusterSpec();
      clusterSpec.getStorage().setEphemeral(true);
      EtcdTuning tuning = new EtcdTuning();
      tuning.setQuotaBackendBytes(QUOTA);
      clusterSpec.setEtcd(tuning);
      long start = System.nanoTime();
      TestRestores.createIntoNewCluster(kube, NS, name, name, source, clusterSpec);
      await(name).atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
        EtcdRestoreStatus status = kube.resources(EtcdRestore.class).inNamespace(NS).withName(name).get().getStatus();
        return status != null && status.getPhase() != null && status.getPhase().finished();
      });
      Duration took = BackupToS3Bench.since(start);
      EtcdRestoreStatus status = kube.resources(EtcdRestore.class).inNamespace(NS).withName(name).get().getStatus();
      if (status.getPhase() != OperationPhase.Succeeded) {
        throw new IllegalStateException(name + " " + status.getPhase() + ": " + status.getMessage());
      }
      kube.resources(EtcdCluster.class).inNamespace(NS).withName(name).delete();
      awaitNoPods(kube);
      return took;
    }

    /**
     * What a user scripts: download the object (one GET to a file, as aws s3 cp of one object), then etcdutl snapshot
     * restore for each of the three members one after another, then start the three and wait until every one is
     * healthy. Verification is etcdutl's own (etcd's appended checksum); nothing checks the object's SHA-256.
     */
    Manual manual() throws Exception {
      return manual(key(backup), WORK.resolve("manual"));
    }

    /** @param key the object's key in the bench's bucket; {@code dir} the hand-run members' work directory */
    Manual manual(String key, Path dir) throws Exception {
      Rig.deleteRecursively(dir);
      Files.createDirectories(dir);
      Path file = dir.resolve("snapshot.db");
      long start = System.nanoTime();
      try (S3Client client = s3.client(); InputStream in = client.getObject(b -> b.bucket(bucket).key(key))) {
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      }
      Duration download = BackupToS3Bench.since(start);
      String version = rig.tools().defaultEtcdVersion();
      String cluster = IntStream.range(0, 3).mapToObj(i -> "m" + i + "=http://" + MANUAL_HOSTS.get(i) + ":2380")
          .collect(Collectors.joining(","));
      long restoring = System.nanoTime();
      for (int i = 0; i < 3; i++) {
        run(dir.resolve("restore-" + i + ".log"), rig.tools().etcdBinary(version, "etcdutl").toString(),
            "snapshot", "restore", file.toString(), "--name=m" + i, "--initial-cluster=" + cluster,
            "--initial-cluster-token=manual", "--initial-advertise-peer-urls=http://" + MANUAL_HOSTS.get(i) + ":2380",
            "--data-dir=" + dir.resolve("m" + i));
      }
      Duration restores = BackupToS3Bench.since(restoring);
      long starting = System.nanoTime();
      List<ManagedProcess> members = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          String host = MANUAL_HOSTS.get(i);
          members.add(ManagedProcess.start("manual-m" + i, List.of(rig.tools().etcdBinary(version, "etcd").toString(),
              "--name=m" + i, "--data-dir=" + dir.resolve("m" + i), "--listen-peer-urls=http://" + host + ":2380",
              "--listen-client-urls=http://" + host + ":2379", "--advertise-client-urls=http://" + host + ":2379",
              "--initial-advertise-peer-urls=http://" + host + ":2380", "--quota-backend-bytes=" + QUOTA),
              null, dir, dir.resolve("m" + i + ".log")));
        }
        String endpoints = MANUAL_HOSTS.stream().map(h -> "http://" + h + ":2379").collect(Collectors.joining(","));
        await("the hand-run members healthy").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100))
            .until(() -> exitCode(dir.resolve("health.log"), rig.tools().etcdBinary(version, "etcdctl").toString(),
                "--endpoints=" + endpoints, "--command-timeout=2s", "endpoint", "health") == 0);
        Duration startup = BackupToS3Bench.since(starting);
        return new Manual(BackupToS3Bench.since(start), download, restores, startup);
      } finally {
        members.forEach(m -> m.stop(Duration.ofSeconds(10)));
        Rig.deleteRecursively(dir);
      }
    }

    /** The key of a backup's object in the bench's bucket, from its location. */
    String key(EtcdBackupStatus backup) {
      return backup.getLocation().substring(("s3://" + bucket + "/").length());
    }

    static void run(Path log, String... command) throws Exception {
      if (exitCode(log, command) != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(log));
      }
    }

    static int exitCode(Path log, String... command) throws Exception {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!process.waitFor(10, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        return -1;
      }
      return process.exitValue();
    }
  }

  static String report(List<Round> rounds, int size, EtcdBackupStatus backup, Instant started, String loadBefore,
      String loadAfter) {
    List<Round> measured = rounds.stream().filter(r -> !r.warmup()).toList();
    Duration op = median(measured.stream().map(Round::operator).toList());
    Duration manual = median(measured.stream().map(Round::manual).toList());
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Commit `%s`. Restore of a %d MiB database (object %d bytes, revision %d) into a"
        + " new 3-member cluster, to Available. %s; load average %s before, %s after; %s.%n%n",
        System.getProperty("bench.commit", "unknown"), size, backup.getSizeBytes(),
        backup.getRevision(), BenchMachine.cpuModel(), loadBefore, loadAfter,
        Duration.between(started, Instant.now()).toMinutes() + " min in all"));
    md.append("| round | order | operator (s) | manual (s) | manual: download | 3 restores | start | ratio |\n");
    md.append("|---|---|---|---|---|---|---|---|\n");
    for (Round r : rounds) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %.2f |%n", r.label(), r.order(),
          BenchMachine.seconds(r.operator()), BenchMachine.seconds(r.manual()), BenchMachine.seconds(r.download()),
          BenchMachine.seconds(r.restores()), BenchMachine.seconds(r.start()), ratio(r.operator(), r.manual())));
    }
    md.append(String.format(Locale.ROOT, "%nMedians of the measured rounds: operator %s s, manual %s s, ratio **%.2f**.%n",
        BenchMachine.seconds(op), BenchMachine.seconds(manual), ratio(op, manual)));
    return md.toString();
  }

  static double ratio(Duration a, Duration b) {
    return a.toNanos() / (double) b.toNanos();
  }

  static Duration median(List<Duration> values) {
    List<Duration> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
