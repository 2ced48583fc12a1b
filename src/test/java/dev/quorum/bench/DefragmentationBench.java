package dev.quorum.bench;

import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.DefragmentationPolicy;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.MaintenanceStatus;
import dev.quorum.maintenance.Defragmentation;
import dev.quorum.rig.ClientResult;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.Pods;
import dev.quorum.rig.QuorumCrds;
import dev.quorum.rig.Rig;
import dev.quorum.testing.MembershipClusters;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.DeleteOption;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Defragmentation of a 3-member cluster holding {@value #LOAD_MIB} MiB of free pages (written, deleted and compacted
 * away, as a Kubernetes API server compacts), by the operator ({@code spec.defragmentation.freeSpacePercent}, from the
 * spec change to its end on record) next to the baseline of {@code etcdctl} by hand on an identical cluster in the same
 * round: followers first, {@code move-leader}, then the old leader, as etcd's guide advises. Both report the members'
 * databases together before and after.
 *
 * <p>Run through {@code bench/defragmentation.sh [--rounds N] [--warmup N]}.
 */
public final class DefragmentationBench {

  static final String NS = "bench";
  static final String RIG_NAME = "bench-defragmentation";
  static final Path REPORT = Path.of("target", "bench", "defragmentation.md");
  static final int LOAD_MIB = 128;
  static final int VALUE_BYTES = 256 * 1024;
  static final Duration STATUS_REFRESH = Duration.ofSeconds(2);

  record Run(Duration time, long beforeBytes, long afterBytes) {}

  public static void main(String[] args) {
    BenchMachine.runAndExit(args, DefragmentationBench::run);
  }

  static void run(String[] args) throws Exception {
    int rounds = BenchMachine.intArg(args, "--rounds", 3);
    int warmup = BenchMachine.intArg(args, "--warmup", 1);
    PrintStream out = System.out;
    String loadBefore = BenchMachine.loadAverage();
    Instant started = Instant.now();
    List<Run> byOperator = new ArrayList<>();
    List<Run> byHand = new ArrayList<>();
    try (Rig rig = Rig.start(RIG_NAME, 3)) {
      KubernetesClient kube = rig.client();
      QuorumCrds.install(kube);
      BenchMachine.createNamespace(kube, NS);
      try (OperatorProcess operator = OperatorProcess.start(rig, "bench", Map.of(
          "QUORUM_STATUS_REFRESH_INTERVAL", STATUS_REFRESH.toSeconds() + "s"))) {
        for (int round = 0; round < warmup + rounds; round++) {
          boolean isWarmup = round < warmup;
          String label = isWarmup ? "w" + (round + 1) : String.valueOf(round - warmup + 1);
          Run hand = byHand(rig, kube, operator, "hand-" + round);
          Run ours = byOperator(kube, operator, "op-" + round);
          out.printf("    round %s: operator %s s (%s -> %s MiB), etcdctl by hand %s s (%s -> %s MiB)%n", label,
              BenchMachine.seconds(ours.time()), mib(ours.beforeBytes()), mib(ours.afterBytes()),
              BenchMachine.seconds(hand.time()), mib(hand.beforeBytes()), mib(hand.afterBytes()));
          if (!isWarmup) {
            byOperator.add(ours);
            byHand.add(hand);
          }
          kube.resources(EtcdCluster.class).inNamespace(NS).delete();
          RestoreBench.awaitNoPods(kube);
        }
      } finally {
        kube.resources(EtcdCluster.class).inNamespace(NS).delete();
        RestoreBench.awaitNoPods(kube);
      }
    }
    String report = report(byOperator, byHand, rounds, warmup, started, loadBefore, BenchMachine.loadAverage());
    Files.createDirectories(REPORT.getParent());
    Files.writeString(REPORT, report);
    out.println();
    out.print(report);
    out.println("==> written to " + REPORT.toAbsolutePath());
  }

  /** A 3-member cluster on 1Gi claims (quota 256 MiB), loaded, emptied and compacted: free pages to give back. */
  static void prepared(KubernetesClient kube, OperatorProcess operator, String name) throws Exception {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    cluster.setSpec(spec);
    kube.resources(EtcdCluster.class).inNamespace(NS).resource(cluster).create();
    dev.quorum.testing.Clusters.awaitAvailable(kube, NS, name, operator);
    try (Client client = Client.builder().endpoints(endpoint(kube, name + "-0")).build()) {
      Random random = new Random(5);
      byte[] value = new byte[VALUE_BYTES];
      for (int i = 0; i < LOAD_MIB * 4; i++) {
        random.nextBytes(value);
        client.getKVClient().put(bytes("/bulk/" + i), ByteSequence.from(value)).get(30, TimeUnit.SECONDS);
      }
      long revision = client.getKVClient().delete(bytes("/bulk/"), DeleteOption.builder().isPrefix(true).build())
          .get(30, TimeUnit.SECONDS).getHeader().getRevision();
      client.getKVClient().compact(revision).get(60, TimeUnit.SECONDS);
    }
  }

  static Run byOperator(KubernetesClient kube, OperatorProcess operator, String name) throws Exception {
    prepared(kube, operator, name);
    DefragmentationPolicy policy = new DefragmentationPolicy();
    policy.setFreeSpacePercent(50);
    long started = System.nanoTime();
    MembershipClusters.edit(kube, NS, name, spec -> spec.setDefragmentation(policy));
    MaintenanceStatus done = await(name + " defragmented").atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofMillis(200)).until(() -> {
          operator.assertAlive();
          return kube.resources(EtcdCluster.class).inNamespace(NS).withName(name).get().getStatus()
              .getLastMaintenance();
        }, last -> last != null && Defragmentation.TYPE.equals(last.getType()) && last.getFinishedAt() != null);
    return new Run(Duration.ofNanos(System.nanoTime() - started), done.getSizeBeforeBytes(), done.getSizeAfterBytes());
  }

  /** etcdctl as etcd's guide has it: each follower, then leadership moved away, then the old leader. */
  static Run byHand(Rig rig, KubernetesClient kube, OperatorProcess operator, String name) throws Exception {
    prepared(kube, operator, name);
    List<String> endpoints = List.of(endpoint(kube, name + "-0"), endpoint(kube, name + "-1"), endpoint(kube, name + "-2"));
    String all = "--endpoints=" + String.join(",", endpoints);
    long before = dbSizes(rig, all);
    long started = System.nanoTime();
    Matcher leader = Pattern.compile("\"leader\":(\\d+)").matcher(etcdctl(rig, all, "endpoint", "status", "-w", "json"));
    if (!leader.find()) {
      throw new IllegalStateException("no leader in etcdctl's endpoint status");
    }
    String status = etcdctl(rig, all, "endpoint", "status", "-w", "json");
    String leaderEndpoint = null;
    List<String> followers = new ArrayList<>();
    String followerId = null;
    Matcher each = Pattern.compile("\"Endpoint\":\"([^\"]+)\",\"Status\":\\{\"header\":\\{[^}]*\"member_id\":(\\d+)")
        .matcher(status);
    while (each.find()) {
      if (each.group(2).equals(leader.group(1))) {
        leaderEndpoint = each.group(1);
      } else {
        followers.add(each.group(1));
        followerId = each.group(2);
      }
    }
    if (leaderEndpoint == null || followerId == null) {
      throw new IllegalStateException("cannot tell the leader from the followers in: " + status);
    }
    for (String follower : followers) {
      etcdctl(rig, "--endpoints=" + follower, "defrag");
    }
    etcdctl(rig, "--endpoints=" + leaderEndpoint, "move-leader", Long.toHexString(Long.parseUnsignedLong(followerId)));
    etcdctl(rig, "--endpoints=" + leaderEndpoint, "defrag");
    Duration time = Duration.ofNanos(System.nanoTime() - started);
    return new Run(time, before, dbSizes(rig, all));
  }

  static long dbSizes(Rig rig, String endpoints) {
    Matcher size = Pattern.compile("\"dbSize\":(\\d+)").matcher(etcdctl(rig, endpoints, "endpoint", "status", "-w",
        "json"));
    long total = 0;
    while (size.find()) {
      total += Long.parseLong(size.group(1));
    }
    return total;
  }

  static String etcdctl(Rig rig, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(rig.tools().etcdBinary(rig.tools().defaultEtcdVersion(), "etcdctl").toString());
    argv.add("--command-timeout=5m");
    argv.addAll(List.of(args));
    ClientResult result = rig.runInCluster(NS, Duration.ofMinutes(6), argv.toArray(String[]::new));
    if (result.exitCode() != 0) {
      throw new IllegalStateException("etcdctl " + String.join(" ", args) + " failed: " + result.output());
    }
    return result.output();
  }

  static String endpoint(KubernetesClient kube, String pod) {
    return "http://" + Pods.ip(kube, NS, pod) + ":2379";
  }

  static String report(List<Run> byOperator, List<Run> byHand, int rounds, int warmup, Instant started,
      String loadBefore, String loadAfter) {
    Duration ours = median(byOperator.stream().map(Run::time).toList());
    Duration hand = median(byHand.stream().map(Run::time).toList());
    StringBuilder md = new StringBuilder();
    md.append("Commit `").append(System.getProperty("bench.commit", "unknown")).append("`, ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores (").append(BenchMachine.cpuModel())
        .append("), ").append(rounds).append(" measured rounds after ").append(warmup).append(" warm-up, ")
        .append(Duration.between(started, Instant.now()).toMinutes()).append(" min in all; each cluster held ")
        .append(LOAD_MIB).append(" MiB written, deleted and compacted away:\n\n");
    md.append("| defragmenting 3 members | runs (s) | median (s) | databases before → after (MiB, median run) |"
        + " median / baseline |\n|---|---|---|---|---|\n");
    row(md, "the operator (`freeSpacePercent: 50`, from the spec change to its end on record)", byOperator, ours,
        String.format(Locale.ROOT, "%.2f", ours.toNanos() / (double) hand.toNanos()));
    row(md, "`etcdctl defrag` by hand, followers, `move-leader`, old leader (**baseline**)", byHand, hand,
        "1.00 (baseline)");
    md.append("\nLoad average ").append(loadBefore).append(" before, ").append(loadAfter).append(" after.\n");
    return md.toString();
  }

  private static void row(StringBuilder md, String what, List<Run> runs, Duration median, String ratio) {
    Run middle = runs.stream().sorted(java.util.Comparator.comparing(Run::time)).toList().get(runs.size() / 2);
    md.append("| ").append(what).append(" | ")
        .append(String.join(", ", runs.stream().map(r -> BenchMachine.seconds(r.time())).toList())).append(" | ")
        .append(BenchMachine.seconds(median)).append(" | ").append(mib(middle.beforeBytes())).append(" → ")
        .append(mib(middle.afterBytes())).append(" | ").append(ratio).append(" |\n");
  }

  static Duration median(List<Duration> times) {
    List<Duration> sorted = times.stream().sorted().toList();
    return sorted.isEmpty() ? Duration.ZERO : sorted.get(sorted.size() / 2);
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
