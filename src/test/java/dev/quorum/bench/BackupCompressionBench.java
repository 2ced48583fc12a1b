package dev.quorum.bench;

import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.BackupCompression;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.demo.Demo;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.Pods;
import dev.quorum.rig.QuorumCrds;
import dev.quorum.rig.Rig;
import dev.quorum.rig.S3Server;
import dev.quorum.testing.TestBackups;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Whether to compress backups: EtcdBackups with compression None and Gzip of the same clusters, alternating within
 * each round, on two kinds of data: Kubernetes-like objects (JSON manifests of a few KiB, as an API server's etcd
 * holds them, though it stores protobuf) and random 1 MiB values (incompressible, the worst case). Reports the time
 * from create to Succeeded and the object's size, each as a ratio of Gzip to None.
 *
 * <p>Run through {@code bench/backup-compression.sh [--rounds N] [--mib N]}.
 */
public final class BackupCompressionBench {

  static final String NS = "bench";
  static final Path REPORT = Path.of("target", "bench", "backup-compression.md");
  static final int PUTS_IN_FLIGHT = 16;

  enum Data {
    OBJECTS("Kubernetes-like JSON objects, 2-6 KiB each"),
    RANDOM("random 1 MiB values");

    final String description;

    Data(String description) {
      this.description = description;
    }

    String cluster() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  record Side(Duration took, long bytes) {}

  record Round(Data data, String label, boolean warmup, String order, Side none, Side gzip) {}

  public static void main(String[] args) {
    BenchMachine.runAndExit(args, BackupCompressionBench::run);
  }

  static void run(String[] args) throws Exception {
    int rounds = intArg(args, "--rounds", 3);
    int mib = intArg(args, "--mib", 256);
    String loadBefore = BenchMachine.loadAverage();
    Instant started = Instant.now();
    List<Round> results = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    try (Rig rig = Rig.start("bench-compression", 3)) {
      KubernetesClient kube = rig.client();
      QuorumCrds.install(kube);
      S3Server s3 = rig.s3();
      String bucket = s3.createBucket("compression-" + System.currentTimeMillis());
      try (OperatorProcess operator = OperatorProcess.start(rig, "bench", Map.of(), List.of("-Xmx256m"))) {
        BenchMachine.createNamespace(kube, NS);
        TestBackups.createCredentials(kube, NS, "s3", s3);
        for (Data data : Data.values()) {
          createCluster(kube, data.cluster());
          long loading = System.nanoTime();
          load(kube, data, mib);
          notes.add(String.format(Locale.ROOT, "%s: %d MiB of %s, loaded in %s s", data.cluster(), mib,
              data.description, BenchMachine.seconds(BackupToS3Bench.since(loading))));
          System.out.println("==> " + notes.get(notes.size() - 1));
          for (int i = 0; i < rounds + 1; i++) {
            boolean warmup = i == 0;
            String label = warmup ? "w" : String.valueOf(i);
            boolean noneFirst = i % 2 == 0;
            Side none = null;
            Side gzip = null;
            for (int side = 0; side < 2; side++) {
              if ((side == 0) == noneFirst) {
                none = backup(kube, operator, s3, bucket, data, label, BackupCompression.None);
              } else {
                gzip = backup(kube, operator, s3, bucket, data, label, BackupCompression.Gzip);
              }
            }
            System.out.printf(Locale.ROOT, "    %s round %s: None %s s %d bytes, Gzip %s s %d bytes%n", data.cluster(),
                label, BenchMachine.seconds(none.took()), none.bytes(), BenchMachine.seconds(gzip.took()),
                gzip.bytes());
            results.add(new Round(data, label, warmup, noneFirst ? "none, gzip" : "gzip, none", none, gzip));
          }
          kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(NS).withName(data.cluster()).delete();
        }
      }
      String report = report(results, rounds, started, loadBefore, notes);
      Files.createDirectories(REPORT.getParent());
      Files.writeString(REPORT, report);
      System.out.println();
      System.out.print(report);
      System.out.println("==> written to " + REPORT.toAbsolutePath());
    }
  }

  static void createCluster(KubernetesClient kube, String name) {
    kube.resource(new GenericKubernetesResourceBuilder()
        .withApiVersion("etcd.quorum.dev/v1alpha1").withKind("EtcdCluster")
        .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .addToAdditionalProperties("spec", Map.of("size", 3, "storage", Map.of("ephemeral", true)))
        .build()).create();
    await(name + " Available").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> Demo.isAvailable(kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(NS)
            .withName(name).get()));
  }

  /** {@code mib} MiB of the data's values, several puts in flight. */
  static void load(KubernetesClient kube, Data data, int mib) throws Exception {
    long target = (long) mib * 1024 * 1024;
    try (Client etcd = Client.builder()
        .endpoints("http://" + Pods.ip(kube, NS, data.cluster() + "-0") + ":2379").build()) {
      KV kv = etcd.getKVClient();
      Semaphore inFlight = new Semaphore(PUTS_IN_FLIGHT);
      AtomicReference<Throwable> failed = new AtomicReference<>();
      List<CompletableFuture<?>> puts = new ArrayList<>();
      Random random = new Random(42);
      long written = 0;
      for (int i = 0; written < target && failed.get() == null; i++) {
        byte[] value = data == Data.OBJECTS ? KubernetesLikeObject.json(random, i)
            : randomBytes(random, 1024 * 1024);
        written += value.length;
        String key = data == Data.OBJECTS ? KubernetesLikeObject.key(i) : "/data/" + i;
        if (!inFlight.tryAcquire(2, TimeUnit.MINUTES)) {
          throw new IllegalStateException("no put finished in 2 minutes");
        }
        puts.add(kv.put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from(value))
            .whenComplete((r, e) -> {
              if (e != null) {
                failed.compareAndSet(null, e);
              }
              inFlight.release();
            }));
        if (puts.size() > 10_000) {
          puts.removeIf(CompletableFuture::isDone);
        }
      }
      CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
      if (failed.get() != null) {
        throw new IllegalStateException("a put failed", failed.get());
      }
    }
  }

  static byte[] randomBytes(Random random, int size) {
    byte[] value = new byte[size];
    random.nextBytes(value);
    return value;
  }

  static Side backup(KubernetesClient kube, OperatorProcess operator, S3Server s3, String bucket, Data data,
      String label, BackupCompression compression) {
    String name = data.cluster() + "-" + label + "-" + compression.name().toLowerCase(Locale.ROOT);
    EtcdBackup backup = TestBackups.toS3(NS, name, data.cluster(), s3, bucket, "s3", null);
    backup.getSpec().setCompression(compression);
    long start = System.nanoTime();
    kube.resources(EtcdBackup.class).inNamespace(NS).resource(backup).create();
    AtomicReference<EtcdBackupStatus> seen = new AtomicReference<>();
    await(name + " finished").atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
      if (!operator.isAlive()) {
        throw new IllegalStateException("the operator exited:\n" + operator.logTail(40));
      }
      EtcdBackup current = kube.resources(EtcdBackup.class).inNamespace(NS).withName(name).get();
      seen.set(current == null ? null : current.getStatus());
      return seen.get() != null && seen.get().getPhase() != null && seen.get().getPhase().finished();
    });
    Duration took = BackupToS3Bench.since(start);
    EtcdBackupStatus status = seen.get();
    if (status.getPhase() != OperationPhase.Succeeded) {
      throw new IllegalStateException(name + " ended " + status.getPhase() + ": " + status.getMessage());
    }
    String key = status.getLocation().substring(("s3://" + bucket + "/").length());
    try (S3Client client = s3.client()) {
      client.deleteObject(b -> b.bucket(bucket).key(key));
    }
    kube.resources(EtcdBackup.class).inNamespace(NS).withName(name).delete();
    return new Side(took, status.getSizeBytes());
  }

  /** A JSON manifest in the shape the API server stores: metadata with uid and labels, a spec, some data. */
  static final class KubernetesLikeObject {

    private static final HexFormat HEX = HexFormat.of();

    static String key(int i) {
      return "/registry/configmaps/namespace-" + (i % 97) + "/object-" + i;
    }

    static byte[] json(Random random, int i) {
      StringBuilder json = new StringBuilder(6 * 1024);
      json.append("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"object-").append(i)
          .append("\",\"namespace\":\"namespace-").append(i % 97).append("\",\"uid\":\"").append(uid(random))
          .append("\",\"resourceVersion\":\"").append(100_000 + i)
          .append("\",\"creationTimestamp\":\"2026-11-24T10:").append(String.format("%02d:%02d", i / 60 % 60, i % 60))
          .append("Z\",\"labels\":{\"app.kubernetes.io/name\":\"service-").append(i % 13)
          .append("\",\"app.kubernetes.io/instance\":\"release-").append(i % 7)
          .append("\",\"app.kubernetes.io/managed-by\":\"Helm\"},\"managedFields\":[{\"manager\":\"helm\","
              + "\"operation\":\"Update\",\"apiVersion\":\"v1\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":"
              + "{\"f:data\":{\".\":{}},\"f:metadata\":{\"f:labels\":{\".\":{},\"f:app.kubernetes.io/name\":{}}}}}]},"
              + "\"data\":{");
      int entries = 8 + random.nextInt(24);
      for (int e = 0; e < entries; e++) {
        json.append(e == 0 ? "" : ",").append("\"setting_").append(e).append("\":\"");
        // a mix of configuration text and opaque tokens
        if (e % 4 == 0) {
          json.append(HEX.formatHex(randomBytes(random, 32)));
        } else {
          json.append("feature.").append(e).append(".enabled=").append(random.nextBoolean())
              .append("; timeout=").append(random.nextInt(600)).append("s; endpoint=https://service-")
              .append(random.nextInt(40)).append(".namespace-").append(i % 97).append(".svc.cluster.local:8443");
        }
        json.append('"');
      }
      return json.append("}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String uid(Random random) {
      String hex = HEX.formatHex(randomBytes(random, 16));
      return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
          + hex.substring(16, 20) + "-" + hex.substring(20);
    }
  }

  static String report(List<Round> rounds, int measured, Instant started, String loadBefore, List<String> notes) {
    StringBuilder md = new StringBuilder();
    md.append("### Backup compression: EtcdBackup with compression None vs. Gzip\n\n");
    md.append("- commit: ").append(System.getProperty("bench.commit", "unknown")).append('\n');
    md.append("- run: ").append(started.truncatedTo(ChronoUnit.SECONDS)).append(", ").append(measured)
        .append(" rounds per kind of data after 1 warm-up (not in the medians); order alternates\n");
    md.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
        .append(BenchMachine.cpuModel()).append("; load average before ").append(loadBefore).append(", after ")
        .append(BenchMachine.loadAverage()).append('\n');
    md.append("- clusters: 3 members, ephemeral storage, the rig's default etcd; operator JVM `-Xmx256m`\n");
    for (String note : notes) {
      md.append("- ").append(note).append('\n');
    }
    md.append("\nSeconds from EtcdBackup created until a poll (every 100 ms) shows Succeeded; bytes of the object.\n\n");
    md.append("| data | round | order | None s | Gzip s | time Gzip/None | None bytes | Gzip bytes | size Gzip/None |\n");
    md.append("|---|---|---|--:|--:|--:|--:|--:|--:|\n");
    for (Round r : rounds) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.2f | %d | %d | %.3f |%n", r.data().cluster(),
          r.warmup() ? "warm-up" : r.label(), r.order(), BenchMachine.seconds(r.none().took()),
          BenchMachine.seconds(r.gzip().took()), BackupToS3Bench.ratio(r.gzip().took(), r.none().took()),
          r.none().bytes(), r.gzip().bytes(), r.gzip().bytes() / (double) r.none().bytes()));
    }
    md.append("\n| data | median None s | median Gzip s | time Gzip/None | size Gzip/None |\n|---|--:|--:|--:|--:|\n");
    for (Data data : Data.values()) {
      List<Round> of = rounds.stream().filter(r -> r.data() == data && !r.warmup()).toList();
      if (of.isEmpty()) {
        continue;
      }
      Duration none = median(of.stream().map(r -> r.none().took()).toList());
      Duration gzip = median(of.stream().map(r -> r.gzip().took()).toList());
      double size = BackupToS3Bench.medianDouble(of.stream().map(r -> r.gzip().bytes() / (double) r.none().bytes())
          .toList());
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | **%.2f** | **%.3f** |%n", data.cluster(),
          BenchMachine.seconds(none), BenchMachine.seconds(gzip), BackupToS3Bench.ratio(gzip, none), size));
    }
    return md.toString();
  }

  static Duration median(List<Duration> values) {
    List<Duration> sorted = values.stream().sorted().toList();
    int mid = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(mid) : sorted.get(mid - 1).plus(sorted.get(mid)).dividedBy(2);
  }

  static int intArg(String[] args, String name, int fallback) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals(name) && i + 1 < args.length) {
        return Integer.parseInt(args[i + 1]);
      }
      if (!args[i].matches("--(rounds|mib)|\\d+")) {
        throw new IllegalArgumentException("unknown argument " + args[i] + " (use --rounds N, --mib N)");
      }
    }
    return fallback;
  }
}
