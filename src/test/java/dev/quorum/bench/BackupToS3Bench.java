package dev.quorum.bench;

import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.MemberStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.demo.Demo;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.Pods;
import dev.quorum.rig.QuorumCrds;
import dev.quorum.rig.Rig;
import dev.quorum.rig.S3Server;
import dev.quorum.testing.RandomValues;
import dev.quorum.testing.TestBackups;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Backup to S3: the operator's EtcdBackup (a snapshot streamed from a member straight into a multipart upload)
 * next to the two-step script a user would write ({@code etcdctl snapshot save} to a file, then {@code aws s3 cp}
 * of that file), on one rig, one cluster, one S3 server, alternating within each round. Also the operator's heap:
 * the largest heap after GC during its backup against the heap after an explicit GC just before it.
 *
 * <p>Run through {@code bench/backup-to-s3.sh [--rounds N] [--warmup N] [--sizes MiB,MiB]}.
 */
public final class BackupToS3Bench {

  static final String NS = "bench";
  static final String CLUSTER = "bench";
  static final String RIG_NAME = "bench-backup";
  static final Path REPORT = Path.of("target", "bench", "backup-to-s3.md");
  static final Path WORK = Path.of("target", "bench", "backup-to-s3").toAbsolutePath();
  static final Path GC_LOG = WORK.resolve("operator-gc.log");
  /** What the chart and OperatorProcess give the operator. */
  static final String HEAP = "-Xmx256m";
  /** aws s3 cp's defaults: multipart_chunksize 8 MiB, max_concurrent_requests 10. */
  static final int CLI_PART = 8 * RandomValues.MIB;
  static final int CLI_CONCURRENCY = 10;
  static final long QUOTA = 4L * 1024 * RandomValues.MIB;

  /** One GC event from the log: wall-clock millis, heap before and after in MiB. */
  record Gc(long atMillis, String kind, double beforeMib, double afterMib) {}

  record Heap(double idleMib, double peakAfterMib, double peakBeforeMib, int gcs) {

    double aboveIdle() {
      return Double.isNaN(peakAfterMib) ? Double.NaN : peakAfterMib - idleMib;
    }
  }

  record OperatorSide(Duration took, long bytes, String member, Heap heap) {}

  record ScriptSide(Duration took, Duration save, Duration upload, long bytes, String member) {}

  record Round(int sizeMib, String label, boolean warmup, String order, OperatorSide operator, ScriptSide script) {}

  public static void main(String[] args) {
    BenchMachine.runAndExit(args, BackupToS3Bench::run);
  }

  static void run(String[] args) throws Exception {
    int rounds = intArg(args, "--rounds", 3);
    int warmup = intArg(args, "--warmup", 1);
    List<Integer> sizes = sizesArg(args, List.of(256, 1100));
    PrintStream out = System.out;
    String loadBefore = BenchMachine.loadAverage();
    Instant started = Instant.now();
    Rig.deleteRecursively(WORK);
    Files.createDirectories(WORK);
    String disk = diskFree();
    out.println("==> disk free under target/: " + disk);
    List<Round> results = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    try (Rig rig = Rig.start(RIG_NAME, 3)) {
      KubernetesClient kube = rig.client();
      QuorumCrds.install(kube);
      S3Server s3 = rig.s3();
      String bucket = s3.createBucket("bench-" + System.currentTimeMillis());
      // timemillis: GC events are matched against the bench's wall-clock windows
      List<String> jvm = List.of(HEAP, "-Xlog:gc:file=" + GC_LOG + ":timemillis");
      out.println("==> starting the operator (" + String.join(" ", jvm) + "), log: "
          + rig.logs().resolve("operator-bench.log"));
      try (OperatorProcess operator = OperatorProcess.start(rig, "bench", Map.of(), jvm)) {
        long pid = operatorPid();
        BenchMachine.createNamespace(kube, NS);
        TestBackups.createCredentials(kube, NS, "s3", s3);
        createCluster(kube);
        Bench bench = new Bench(rig, kube, s3, bucket, operator, pid);
        int loadedMib = 0;
        for (int s = 0; s < sizes.size(); s++) {
          int size = sizes.get(s);
          // the same cluster grows to the next size: no second copy of the data on disk, no second load of it
          long loading = System.nanoTime();
          bench.load(loadedMib, size);
          String loadNote = String.format(Locale.ROOT, "loaded %d -> %d MiB of 1 MiB random values in %s s",
              loadedMib, size, BenchMachine.seconds(since(loading)));
          loadedMib = size;
          notes.add(loadNote);
          out.println("==> " + loadNote + "; disk free: " + diskFree());
          int warm = s == 0 ? warmup : 0;
          for (int i = 0; i < warm + rounds; i++) {
            boolean isWarmup = i < warm;
            String label = isWarmup ? "w" + (i + 1) : String.valueOf(i - warm + 1);
            // alternate ab, ba so a drift over the run (page cache, the other build) hits both sides alike
            boolean operatorFirst = isWarmup || (i - warm) % 2 == 0;
            OperatorSide op = null;
            ScriptSide script = null;
            for (int side = 0; side < 2; side++) {
              String key = "bench/" + size + "/" + label;
              if ((side == 0) == operatorFirst) {
                op = bench.operator(key + "-operator.db", "b-" + size + "-" + label);
                out.printf(Locale.ROOT, "    %d MiB round %s operator: %s s, %d bytes from %s; heap idle %.1f,"
                    + " peak after GC %.1f (+%.1f), before GC %.1f MiB, %d GCs%n", size, label, BenchMachine.seconds(op.took()),
                    op.bytes(), op.member(), op.heap().idleMib(), op.heap().peakAfterMib(), op.heap().aboveIdle(),
                    op.heap().peakBeforeMib(), op.heap().gcs());
              } else {
                script = bench.script(key + "-script.db");
                out.printf("    %d MiB round %s script: %s s (save %s + upload %s), %d bytes from %s%n", size, label,
                    BenchMachine.seconds(script.took()), BenchMachine.seconds(script.save()), BenchMachine.seconds(script.upload()), script.bytes(),
                    script.member());
              }
            }
            results.add(new Round(size, label, isWarmup, operatorFirst ? "op, script" : "script, op", op, script));
          }
        }
        String report = report(results, sizes, warmup, started, loadBefore, BenchMachine.loadAverage(), disk, notes);
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, report);
        out.println();
        out.print(report);
        out.println();
        out.println("==> written to " + REPORT.toAbsolutePath());
      } finally {
        kube.resources(EtcdCluster.class).inNamespace(NS).withName(CLUSTER).delete();
        // the members' data (GiBs each) goes with their pods
        await("members gone").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
            .until(() -> kube.pods().inNamespace(NS).list().getItems().isEmpty());
        Rig.deleteRecursively(rig.dir().resolve("s3"));
      }
    }
  }

  static void createCluster(KubernetesClient kube) {
    kube.resource(new GenericKubernetesResourceBuilder()
        .withApiVersion("etcd.quorum.dev/v1alpha1").withKind("EtcdCluster")
        .withNewMetadata().withName(CLUSTER).withNamespace(NS).endMetadata()
        .addToAdditionalProperties("spec", Map.of("size", 3, "storage", Map.of("ephemeral", true),
            // etcd's default quota (2 GiB) would refuse puts near it: room for the larger size and its growth
            "etcd", Map.of("quotaBackendBytes", QUOTA)))
        .build()).create();
    await(CLUSTER + " Available").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> Demo.isAvailable(kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(NS)
            .withName(CLUSTER).get()));
  }

  /** Random (incompressible) 1 MiB values under /data/from..to-1 at {@code endpoint}, several puts in flight. */
  static void loadRandom(String endpoint, int from, int to) throws Exception {
    RandomValues.load(endpoint, from, to, Duration.ofMinutes(10));
  }

  static final class Bench {

    final Rig rig;
    final KubernetesClient kube;
    final S3Server s3;
    final String bucket;
    final OperatorProcess operator;
    final long pid;

    Bench(Rig rig, KubernetesClient kube, S3Server s3, String bucket, OperatorProcess operator, long pid) {
      this.rig = rig;
      this.kube = kube;
      this.s3 = s3;
      this.bucket = bucket;
      this.operator = operator;
      this.pid = pid;
    }

    /** Random (incompressible) 1 MiB values under /data/from..to-1, several puts in flight. */
    void load(int from, int to) throws Exception {
      loadRandom("http://" + Pods.ip(kube, NS, CLUSTER + "-0") + ":2379", from, to);
    }

    /** The member the operator snapshots (a ready follower, first by name): the script uses the same one. */
    String sourceMember() {
      EtcdCluster cluster = kube.resources(EtcdCluster.class).inNamespace(NS).withName(CLUSTER).get();
      return cluster.getStatus().getMembers().stream().filter(MemberStatus::isReady)
          .min(Comparator.comparing(MemberStatus::isLeader).thenComparing(MemberStatus::getName))
          .map(MemberStatus::getName).orElseThrow(() -> new IllegalStateException("no ready member"));
    }

    OperatorSide operator(String key, String name) throws Exception {
      double idle = idleHeap();
      EtcdBackup backup = backup(name, key);
      long startMillis = System.currentTimeMillis();
      long start = System.nanoTime();
      kube.resources(EtcdBackup.class).inNamespace(NS).resource(backup).create();
      AtomicReference<EtcdBackupStatus> seen = new AtomicReference<>();
      // status times have 1 s resolution: the finish is the first poll (every 100 ms) that shows it
      await(name + " finished").atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
        if (!operator.isAlive()) {
          throw new IllegalStateException("the operator exited:\n" + operator.logTail(40));
        }
        EtcdBackup current = kube.resources(EtcdBackup.class).inNamespace(NS).withName(name).get();
        EtcdBackupStatus status = current == null ? null : current.getStatus();
        seen.set(status);
        return status != null && status.getPhase() != null && status.getPhase().finished();
      });
      Duration took = since(start);
      long endMillis = System.currentTimeMillis();
      EtcdBackupStatus status = seen.get();
      if (status.getPhase() != OperationPhase.Succeeded) {
        throw new IllegalStateException(name + " ended " + status.getPhase() + ": " + status.getMessage());
      }
      // let the log catch up with the window's last GC
      Thread.sleep(500);
      List<Gc> during = gcs().stream().filter(g -> g.atMillis() >= startMillis && g.atMillis() <= endMillis).toList();
      Heap heap = new Heap(idle, during.stream().mapToDouble(Gc::afterMib).max().orElse(Double.NaN),
          during.stream().mapToDouble(Gc::beforeMib).max().orElse(Double.NaN), during.size());
      try (S3Client client = s3.client()) {
        client.deleteObject(b -> b.bucket(bucket).key(key));
      }
      kube.resources(EtcdBackup.class).inNamespace(NS).withName(name).delete();
      return new OperatorSide(took, status.getSizeBytes(), status.getSourceMember(), heap);
    }

    /** An explicit full GC just before the backup: what the operator holds when it is doing nothing. */
    double idleHeap() throws Exception {
      int before = gcs().size();
      Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          String.valueOf(pid), "GC.run").redirectErrorStream(true).redirectOutput(WORK.resolve("jcmd.log").toFile())
          .start();
      if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
        throw new IllegalStateException("jcmd " + pid + " GC.run failed: " + Files.readString(WORK.resolve("jcmd.log")));
      }
      AtomicReference<Gc> full = new AtomicReference<>();
      await("the explicit GC in the log").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
          .until(() -> {
            List<Gc> all = gcs();
            all.subList(before, all.size()).stream().filter(g -> g.kind().startsWith("Pause Full")).reduce((a, b) -> b)
                .ifPresent(full::set);
            return full.get() != null;
          });
      // a quiet second, so no GC of the explicit one's aftermath lands in the backup's window
      Thread.sleep(1000);
      return full.get().afterMib();
    }

    ScriptSide script(String key) throws Exception {
      String member = sourceMember();
      Path file = WORK.resolve("snapshot.db");
      Files.deleteIfExists(file);
      Path etcdctl = rig.tools().etcdBinary(rig.tools().defaultEtcdVersion(), "etcdctl");
      List<String> command = List.of(etcdctl.toString(), "--endpoints=http://" + Pods.ip(kube, NS, member) + ":2379",
          "snapshot", "save", file.toString());
      long start = System.nanoTime();
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(WORK.resolve("etcdctl.log").toFile());
      pb.environment().put("ETCDCTL_API", "3");
      Process save = pb.start();
      if (!save.waitFor(15, TimeUnit.MINUTES) || save.exitValue() != 0) {
        throw new IllegalStateException("etcdctl snapshot save failed: " + Files.readString(WORK.resolve("etcdctl.log")));
      }
      Duration saved = since(start);
      long uploading = System.nanoTime();
      long bytes = Files.size(file);
      try (S3Client client = s3.client()) {
        upload(client, file, key);
        Duration uploaded = since(uploading);
        Duration took = since(start);
        client.deleteObject(b -> b.bucket(bucket).key(key));
        return new ScriptSide(took, saved, uploaded, bytes, member);
      } finally {
        Files.deleteIfExists(file);
      }
    }

    /** As aws s3 cp uploads a file: a multipart upload of 8 MiB parts, 10 in flight. */
    void upload(S3Client client, Path file, String key) throws Exception {
      long size = Files.size(file);
      String uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
      int parts = (int) ((size + CLI_PART - 1) / CLI_PART);
      ExecutorService pool = Executors.newFixedThreadPool(CLI_CONCURRENCY);
      try {
        List<Future<CompletedPart>> done = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
          int number = p + 1;
          long offset = (long) p * CLI_PART;
          int length = (int) Math.min(CLI_PART, size - offset);
          done.add(pool.submit(() -> {
            byte[] buffer = new byte[length];
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
              in.seek(offset);
              in.readFully(buffer);
            }
            String etag = client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
                .contentLength((long) length), RequestBody.fromBytes(buffer)).eTag();
            return CompletedPart.builder().partNumber(number).eTag(etag).build();
          }));
        }
        List<CompletedPart> completed = new ArrayList<>();
        for (Future<CompletedPart> part : done) {
          completed.add(part.get(10, TimeUnit.MINUTES));
        }
        client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
            .multipartUpload(m -> m.parts(completed)));
      } catch (Exception e) {
        client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        throw e;
      } finally {
        pool.shutdownNow();
      }
    }

    EtcdBackup backup(String name, String key) {
      return TestBackups.toS3(NS, name, CLUSTER, s3, bucket, "s3", key);
    }
  }

  // ---- the GC log ----

  /** e.g. {@code [1764000000123ms] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 45M->12M(128M) 3.456ms} */
  static final Pattern GC_LINE = Pattern.compile(
      "^\\[(\\d+)ms\\] GC\\(\\d+\\) (Pause .*?) (\\d+(?:\\.\\d+)?)([KMG])->(\\d+(?:\\.\\d+)?)([KMG])\\(");

  static List<Gc> gcs() {
    try {
      if (!Files.exists(GC_LOG)) {
        return List.of();
      }
      List<Gc> events = new ArrayList<>();
      for (String line : Files.readAllLines(GC_LOG)) {
        Matcher m = GC_LINE.matcher(line);
        if (m.find()) {
          events.add(new Gc(Long.parseLong(m.group(1)), m.group(2), mib(m.group(3), m.group(4)),
              mib(m.group(5), m.group(6))));
        }
      }
      return events;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double mib(String value, String unit) {
    double v = Double.parseDouble(value);
    return switch (unit) {
      case "K" -> v / 1024;
      case "G" -> v * 1024;
      default -> v;
    };
  }

  /** The operator's JVM, found by its unique GC log option (the rig may wrap it in another process). */
  static long operatorPid() {
    String marker = "-Xlog:gc:file=" + GC_LOG;
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(marker) && c.contains("quarkus-run.jar")
            && p.info().command().map(x -> x.endsWith("/java")).orElse(false)).orElse(false))
        .map(ProcessHandle::pid).findFirst()
        .orElseThrow(() -> new IllegalStateException("the operator's JVM is not among this user's processes"));
  }

  // ---- the report ----

  static String report(List<Round> rounds, List<Integer> sizes, int warmup, Instant started, String loadBefore,
      String loadAfter, String disk, List<String> notes) {
    StringBuilder md = new StringBuilder();
    md.append("### Backup to S3: EtcdBackup vs. etcdctl snapshot save + aws s3 cp\n\n");
    md.append("- commit: ").append(System.getProperty("bench.commit", "unknown")).append('\n');
    md.append("- run: ").append(started.truncatedTo(ChronoUnit.SECONDS)).append(", ")
        .append(rounds.stream().filter(r -> !r.warmup() && r.sizeMib() == sizes.get(0)).count())
        .append(" rounds per size after ").append(warmup).append(" warm-up at the first size (not in the medians)\n");
    md.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
        .append(BenchMachine.cpuModel()).append("; load average before ").append(loadBefore).append(", after ")
        .append(loadAfter).append("; disk free at the start ").append(disk).append('\n');
    md.append("- cluster: 3 members, ephemeral storage, etcd ").append("default version of the rig")
        .append(", quotaBackendBytes 4 GiB; operator JVM `").append(HEAP).append("` (the chart's)\n");
    for (String note : notes) {
      md.append("- ").append(note).append('\n');
    }
    md.append('\n');
    md.append("Seconds. Operator: EtcdBackup created until a poll (every 100 ms) shows phase Succeeded. Script:"
        + " `etcdctl snapshot save` to a file plus a multipart upload of it (8 MiB parts, 10 in flight, as"
        + " `aws s3 cp`). Heap in MiB from the operator's GC log: idle = after an explicit full GC just before the"
        + " backup; peak = the largest heap after (and before) a GC during the backup.\n\n");
    md.append("| size | round | order | DB bytes | operator | script | script save | script upload | ratio"
        + " | heap idle | peak after GC | above idle | peak before GC | GCs |\n");
    md.append("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (Round r : rounds) {
      md.append(String.format(Locale.ROOT, "| %d MiB | %s | %s | %d | %s | %s | %s | %s | %.2f | %.1f | %.1f | %.1f"
              + " | %.1f | %d |%n", r.sizeMib(), r.warmup() ? r.label() + " (warm-up)" : r.label(), r.order(),
          r.operator().bytes(), BenchMachine.seconds(r.operator().took()), BenchMachine.seconds(r.script().took()),
          BenchMachine.seconds(r.script().save()), BenchMachine.seconds(r.script().upload()),
          ratio(r.operator().took(), r.script().took()), r.operator().heap().idleMib(),
          r.operator().heap().peakAfterMib(), r.operator().heap().aboveIdle(), r.operator().heap().peakBeforeMib(),
          r.operator().heap().gcs()));
    }
    md.append('\n');
    md.append("| size | median operator | median script | ratio (target ≤ 0.6) | median heap idle"
        + " | max peak after GC | max above idle (target < 64) | max peak before GC |\n");
    md.append("|---|--:|--:|--:|--:|--:|--:|--:|\n");
    for (int size : sizes) {
      List<Round> measured = rounds.stream().filter(r -> !r.warmup() && r.sizeMib() == size).toList();
      Duration op = median(measured, r -> r.operator().took());
      Duration script = median(measured, r -> r.script().took());
      md.append(String.format(Locale.ROOT, "| %d MiB | %s | %s | **%.2f** | %.1f | %.1f | **%.1f** | %.1f |%n", size,
          BenchMachine.seconds(op), BenchMachine.seconds(script), ratio(op, script),
          medianDouble(measured.stream().map(r -> r.operator().heap().idleMib()).toList()),
          max(measured, h -> h.peakAfterMib()), max(measured, Heap::aboveIdle), max(measured, Heap::peakBeforeMib)));
    }
    return md.toString();
  }

  static double max(List<Round> rounds, Function<Heap, Double> column) {
    return rounds.stream().map(r -> column.apply(r.operator().heap())).filter(v -> !v.isNaN())
        .mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  static double ratio(Duration a, Duration b) {
    return a.toNanos() / (double) b.toNanos();
  }

  static Duration median(List<Round> rounds, Function<Round, Duration> column) {
    List<Duration> values = rounds.stream().map(column).filter(Objects::nonNull).sorted().toList();
    int mid = values.size() / 2;
    return values.size() % 2 == 1 ? values.get(mid) : values.get(mid - 1).plus(values.get(mid)).dividedBy(2);
  }

  static double medianDouble(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int mid = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
  }

  static Duration since(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos);
  }

  private static String diskFree() {
    try {
      long free = Files.getFileStore(WORK).getUsableSpace();
      return String.format(Locale.ROOT, "%.1f GB", free / 1e9);
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static List<Integer> sizesArg(String[] args, List<Integer> fallback) {
    for (int i = 0; i < args.length; i++) {
      String value = args[i].equals("--sizes") && i + 1 < args.length ? args[i + 1]
          : args[i].startsWith("--sizes=") ? args[i].substring(8) : null;
      if (value != null) {
        List<Integer> sizes = new ArrayList<>();
        for (String s : value.split(",")) {
          sizes.add(Integer.parseInt(s.trim()));
        }
        // the cluster only grows between sizes
        return sizes.stream().sorted().toList();
      }
    }
    return fallback;
  }

  private static int intArg(String[] args, String name, int fallback) {
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--rounds") && !args[i].startsWith("--warmup") && !args[i].startsWith("--sizes")
          && !args[i].matches("[\\d,]+")) {
        throw new IllegalArgumentException("unknown argument " + args[i]
            + "; usage: [--rounds N] [--warmup N] [--sizes MiB,MiB]");
      }
      if (args[i].equals(name) && i + 1 < args.length) {
        return Integer.parseInt(args[i + 1]);
      }
      if (args[i].startsWith(name + "=")) {
        return Integer.parseInt(args[i].substring(name.length() + 1));
      }
    }
    return fallback;
  }
}
