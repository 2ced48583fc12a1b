package dev.quorum.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.rig.ManagedProcess;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.QuorumCrds;
import dev.quorum.rig.Rig;
import dev.quorum.rig.Pods;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Scale of a 3-member cluster holding some data to 5 members, until all five are healthy voters: the operator
 * (EtcdCluster size 3 to 5: each new member added as a learner, recorded, started, promoted once caught up, one after
 * the other) next to what a user does by hand ({@code etcdctl member add}, then start the member with the membership it
 * printed and {@code --initial-cluster-state=existing}, wait until it is healthy, then the next), on one rig and one
 * machine, alternating which side goes first in each round.
 *
 * <p>Run through {@code bench/scale-up.sh [--rounds N] [--warmup N] [--data MiB]}.
 */
public final class ScaleUpBench {

  static final String NS = "bench";
  static final String RIG_NAME = "bench-scale";
  static final Path REPORT = Path.of("target", "bench", "scale-up.md");
  static final Path WORK = Path.of("target", "bench", "scale-up").toAbsolutePath();
  /** The hand-run members' addresses: loopback, outside the rig's pod and node ranges. */
  static final List<String> MANUAL_HOSTS = List.of("127.0.31.1", "127.0.31.2", "127.0.31.3", "127.0.31.4",
      "127.0.31.5");

  record Round(String label, boolean warmup, String order, Duration operator, Duration manual) {}

  public static void main(String[] args) {
    BenchMachine.runAndExit(args, ScaleUpBench::run);
  }

  static void run(String[] args) throws Exception {
    int rounds = BenchMachine.intArg(args, "--rounds", 3);
    int warmup = BenchMachine.intArg(args, "--warmup", 1);
    int data = BenchMachine.intArg(args, "--data", 64);
    PrintStream out = System.out;
    String loadBefore = BenchMachine.loadAverage();
    Instant started = Instant.now();
    Rig.deleteRecursively(WORK);
    Files.createDirectories(WORK);
    List<Round> results = new ArrayList<>();
    try (Rig rig = Rig.start(RIG_NAME, 3)) {
      KubernetesClient kube = rig.client();
      QuorumCrds.install(kube);
      try (OperatorProcess operator = OperatorProcess.start(rig, "bench", Map.of())) {
        BenchMachine.createNamespace(kube, NS);
        Sides sides = new Sides(rig, kube, data);
        for (int i = 0; i < warmup + rounds; i++) {
          boolean isWarmup = i < warmup;
          String label = isWarmup ? "w" + (i + 1) : String.valueOf(i - warmup + 1);
          boolean operatorFirst = isWarmup || (i - warmup) % 2 == 0;
          Duration op = null;
          Duration manual = null;
          for (int side = 0; side < 2; side++) {
            if ((side == 0) == operatorFirst) {
              op = sides.operator("s-" + label);
              out.printf("    round %s operator: %s s%n", label, BenchMachine.seconds(op));
            } else {
              manual = sides.manual();
              out.printf("    round %s manual: %s s%n", label, BenchMachine.seconds(manual));
            }
          }
          results.add(new Round(label, isWarmup, operatorFirst ? "op, manual" : "manual, op", op, manual));
        }
        String report = report(results, data, started, loadBefore, BenchMachine.loadAverage());
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, report);
        out.println();
        out.print(report);
        out.println("==> written to " + REPORT.toAbsolutePath());
      } finally {
        kube.resources(EtcdCluster.class).inNamespace(NS).delete();
        RestoreBench.awaitNoPods(kube);
        Rig.deleteRecursively(WORK);
      }
    }
  }

  static final class Sides {
    final Rig rig;
    final KubernetesClient kube;
    final int data;
    final String version;

    Sides(Rig rig, KubernetesClient kube, int data) {
      this.rig = rig;
      this.kube = kube;
      this.data = data;
      this.version = rig.tools().defaultEtcdVersion();
    }

    /** A 3-member ephemeral EtcdCluster with the data loaded; timed from the size change to five healthy voters. */
    Duration operator(String name) throws Exception {
      EtcdClusterSpec spec = new EtcdClusterSpec();
      spec.getStorage().setEphemeral(true);
      EtcdCluster cluster = new EtcdCluster();
      cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
      cluster.setSpec(spec);
      kube.resources(EtcdCluster.class).inNamespace(NS).resource(cluster).create();
      awaitReady(name, 3);
      load("http://" + Pods.ip(kube, NS, name + "-0") + ":2379");
      long start = System.nanoTime();
      kube.resources(EtcdCluster.class).inNamespace(NS).withName(name).edit(c -> {
        c.getSpec().setSize(5);
        return c;
      });
      awaitReady(name, 5);
      Duration took = BackupToS3Bench.since(start);
      kube.resources(EtcdCluster.class).inNamespace(NS).withName(name).delete();
      RestoreBench.awaitNoPods(kube);
      return took;
    }

    /** Five ready members, none a learner, no membership change in progress, as the cluster's status says. */
    private void awaitReady(String name, int size) {
      await(name + " at " + size).atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100))
          .ignoreExceptions().until(() -> {
            EtcdCluster c = kube.resources(EtcdCluster.class).inNamespace(NS).withName(name).get();
            return c.getStatus() != null && c.getStatus().getOperation() == null
                && c.getStatus().getReadyMembers() == size && c.getStatus().getMembers().size() == size
                && c.getStatus().getMembers().stream().allMatch(m -> m.isReady() && m.getLearner() == null);
          });
    }

    /** Three hand-run members with the data loaded; timed from the first member add to five healthy members. */
    Duration manual() throws Exception {
      Path dir = WORK.resolve("manual");
      Rig.deleteRecursively(dir);
      Files.createDirectories(dir);
      List<ManagedProcess> members = new ArrayList<>();
      try {
        String founding = IntStream.range(0, 3).mapToObj(i -> "m" + i + "=http://" + MANUAL_HOSTS.get(i) + ":2380")
            .collect(Collectors.joining(","));
        for (int i = 0; i < 3; i++) {
          members.add(start(dir, i, founding, "new"));
        }
        awaitHealthy(dir, 3);
        load("http://" + MANUAL_HOSTS.get(0) + ":2379");
        long start = System.nanoTime();
        for (int i = 3; i < 5; i++) {
          String added = memberAdd(dir, i);
          String initialCluster = added.lines().filter(l -> l.startsWith("ETCD_INITIAL_CLUSTER="))
              .map(l -> l.substring("ETCD_INITIAL_CLUSTER=".length()).replace("\"", "")).findFirst()
              .orElseThrow(() -> new IllegalStateException("member add printed no cluster: " + added));
          members.add(start(dir, i, initialCluster, "existing"));
          awaitHealthy(dir, i + 1);
        }
        return BackupToS3Bench.since(start);
      } finally {
        members.forEach(m -> m.stop(Duration.ofSeconds(10)));
        Rig.deleteRecursively(dir);
      }
    }

    /**
     * etcdctl member add, tried again every 100 ms while etcd answers "unhealthy cluster" (for a few seconds after a
     * member joins, until every member has been connected long enough), as a user's script would.
     */
    private String memberAdd(Path dir, int i) throws Exception {
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (true) {
        try {
          return etcdctl(dir, "member-add-" + i, "--endpoints=" + endpoints(i), "member", "add", "m" + i,
              "--peer-urls=http://" + MANUAL_HOSTS.get(i) + ":2380");
        } catch (IllegalStateException e) {
          if (!e.getMessage().contains("unhealthy cluster") || System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(100);
        }
      }
    }

    private ManagedProcess start(Path dir, int i, String initialCluster, String state) {
      String host = MANUAL_HOSTS.get(i);
      return ManagedProcess.start("manual-m" + i, List.of(rig.tools().etcdBinary(version, "etcd").toString(),
          "--name=m" + i, "--data-dir=" + dir.resolve("m" + i), "--listen-peer-urls=http://" + host + ":2380",
          "--listen-client-urls=http://" + host + ":2379", "--advertise-client-urls=http://" + host + ":2379",
          "--initial-advertise-peer-urls=http://" + host + ":2380", "--initial-cluster=" + initialCluster,
          "--initial-cluster-state=" + state, "--initial-cluster-token=manual"), null, dir,
          dir.resolve("m" + i + ".log"));
    }

    private void awaitHealthy(Path dir, int count) {
      await(count + " hand-run members healthy").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100))
          .until(() -> exitCode(dir.resolve("health.log"), rig.tools().etcdBinary(version, "etcdctl").toString(),
              "--endpoints=" + endpoints(count), "--command-timeout=2s", "endpoint", "health") == 0);
    }

    private String etcdctl(Path dir, String log, String... args) throws Exception {
      List<String> command = new ArrayList<>();
      command.add(rig.tools().etcdBinary(version, "etcdctl").toString());
      command.addAll(List.of(args));
      Path file = dir.resolve(log + ".log");
      if (exitCode(file, command.toArray(String[]::new)) != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(file));
      }
      return Files.readString(file);
    }

    private static String endpoints(int count) {
      return MANUAL_HOSTS.subList(0, count).stream().map(h -> "http://" + h + ":2379").collect(Collectors.joining(","));
    }

    /** {@code data} MiB of 1 MiB random values: what a new member has to catch up with. */
    private void load(String endpoint) throws Exception {
      Random random = new Random(42);
      byte[] value = new byte[1024 * 1024];
      try (Client client = Client.builder().endpoints(endpoint).build()) {
        for (int i = 0; i < data; i++) {
          random.nextBytes(value);
          client.getKVClient().put(ByteSequence.from("load/" + i, UTF_8), ByteSequence.from(value))
              .get(30, TimeUnit.SECONDS);
        }
      }
    }

    private static int exitCode(Path log, String... command) throws Exception {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        return -1;
      }
      return process.exitValue();
    }
  }

  static String report(List<Round> rounds, int data, Instant started, String loadBefore, String loadAfter) {
    List<Round> measured = rounds.stream().filter(r -> !r.warmup()).toList();
    Duration op = RestoreBench.median(measured.stream().map(Round::operator).toList());
    Duration manual = RestoreBench.median(measured.stream().map(Round::manual).toList());
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Commit `%s`. Scale of a 3-member cluster holding %d MiB to 5 members, until"
        + " all five are healthy voters. %s; load average %s before, %s after; %s.%n%n",
        System.getProperty("bench.commit", "unknown"), data, BenchMachine.cpuModel(), loadBefore, loadAfter,
        Duration.between(started, Instant.now()).toSeconds() + " s in all"));
    md.append("| round | order | operator (s) | manual (s) | operator / manual |\n|---|---|---|---|---|\n");
    for (Round r : rounds) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2f |%n", r.label(), r.order(),
          BenchMachine.seconds(r.operator()), BenchMachine.seconds(r.manual()),
          RestoreBench.ratio(r.operator(), r.manual())));
    }
    md.append(String.format(Locale.ROOT, "%nMedian of the measured rounds: operator %s s, manual %s s, ratio **%.2f**.%n",
        BenchMachine.seconds(op), BenchMachine.seconds(manual), RestoreBench.ratio(op, manual)));
    return md.toString();
  }
}
