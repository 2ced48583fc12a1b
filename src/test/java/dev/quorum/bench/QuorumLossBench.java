package dev.quorum.bench;

import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.MemberStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.RecoverySource;
import dev.quorum.rig.ManagedProcess;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.Pods;
import dev.quorum.rig.QuorumCrds;
import dev.quorum.rig.Rig;
import dev.quorum.rig.S3Server;
import dev.quorum.testing.Clusters;
import dev.quorum.testing.MembershipClusters;
import dev.quorum.testing.TestBackups;
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
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Quorum loss to Available again, both ways, each next to etcd's documented manual procedure run by a script on the
 * same rig in the same round (the order alternating):
 *
 * <ul>
 *   <li><b>from the survivor</b>: a persistent 3-member cluster loses two members' pods and claims (the leader among
 *       them); timed from the EtcdRecovery's create until it has Succeeded (three voters serve). By hand: three etcd
 *       processes lose two members' data directories; timed from the first step of etcd's procedure (restart the
 *       survivor with {@code --force-new-cluster}, restart it without, then {@code member add} and start each other
 *       member, one at a time) until all three are healthy;
 *   <li><b>from a backup</b>: an ephemeral 3-member cluster, backed up, loses every pod; timed from the EtcdRecovery's
 *       create (from: Backup) until it has Succeeded. By hand: download the same object, {@code etcdutl snapshot
 *       restore} for each member, start the three, until all are healthy ({@link RestoreBench}'s script).
 * </ul>
 *
 * <p>The loss itself and its detection are not timed on either side: a user decides to recover on both. Run through
 * {@code bench/quorum-loss.sh [--rounds N] [--warmup N] [--size MiB]}.
 */
public final class QuorumLossBench {

  static final String NS = RestoreBench.NS;
  static final String RIG_NAME = "bench-quorum-loss";
  static final Path REPORT = Path.of("target", "bench", "quorum-loss.md");
  static final Path WORK = Path.of("target", "bench", "quorum-loss").toAbsolutePath();
  static final Duration AT_MOST = Duration.ofMinutes(10);

  record Side(Duration operator, Duration manual) {}

  record Round(String label, boolean warmup, String order, Side survivor, Side backup) {}

  public static void main(String[] args) {
    BenchMachine.runAndExit(args, QuorumLossBench::run);
  }

  static void run(String[] args) throws Exception {
    int rounds = BenchMachine.intArg(args, "--rounds", 3);
    int warmup = BenchMachine.intArg(args, "--warmup", 1);
    int size = BenchMachine.intArg(args, "--size", 64);
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
      try (OperatorProcess operator = OperatorProcess.start(rig, "bench",
          Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s"))) {
        BenchMachine.createNamespace(kube, NS);
        TestBackups.createCredentials(kube, NS, "s3", s3);
        Ways ways = new Ways(rig, kube, s3, bucket, operator, size);
        for (int i = 0; i < warmup + rounds; i++) {
          boolean isWarmup = i < warmup;
          String label = isWarmup ? "w" + (i + 1) : String.valueOf(i - warmup + 1);
          boolean operatorFirst = isWarmup || (i - warmup) % 2 == 0;
          Side survivor = ways.survivor("sv-" + label, operatorFirst);
          out.printf("    round %s from the survivor: operator %s s, manual %s s%n", label,
              BenchMachine.seconds(survivor.operator()), BenchMachine.seconds(survivor.manual()));
          Side backup = ways.backup("bk-" + label, operatorFirst);
          out.printf("    round %s from a backup: operator %s s, manual %s s%n", label,
              BenchMachine.seconds(backup.operator()), BenchMachine.seconds(backup.manual()));
          results.add(new Round(label, isWarmup, operatorFirst ? "op, manual" : "manual, op", survivor, backup));
        }
        String report = report(results, size, started, loadBefore, BenchMachine.loadAverage());
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, report);
        out.println();
        out.print(report);
        out.println("==> written to " + REPORT.toAbsolutePath());
      } finally {
        kube.resources(EtcdCluster.class).inNamespace(NS).delete();
        RestoreBench.awaitNoPods(kube);
        Rig.deleteRecursively(rig.dir().resolve("s3"));
        Rig.deleteRecursively(WORK);
      }
    }
  }

  static final class Ways {
    final Rig rig;
    final KubernetesClient kube;
    final S3Server s3;
    final String bucket;
    final OperatorProcess operator;
    final int size;
    final RestoreBench.Sides restoreScript;

    Ways(Rig rig, KubernetesClient kube, S3Server s3, String bucket, OperatorProcess operator, int size) {
      this.rig = rig;
      this.kube = kube;
      this.s3 = s3;
      this.bucket = bucket;
      this.operator = operator;
      this.size = size;
      this.restoreScript = new RestoreBench.Sides(rig, kube, s3, bucket, null);
    }

    Side survivor(String name, boolean operatorFirst) throws Exception {
      Duration op = null;
      Duration manual = null;
      for (int side = 0; side < 2; side++) {
        if ((side == 0) == operatorFirst) {
          op = survivorByOperator(name);
        } else {
          manual = survivorByHand();
        }
      }
      return new Side(op, manual);
    }

    Side backup(String name, boolean operatorFirst) throws Exception {
      EtcdBackupStatus backup = lostEphemeralCluster(name);
      Duration op = null;
      Duration manual = null;
      for (int side = 0; side < 2; side++) {
        if ((side == 0) == operatorFirst) {
          op = recover(name, RecoverySource.Backup);
        } else {
          manual = restoreScript.manual(restoreScript.key(backup), WORK.resolve("manual-restore")).total();
        }
      }
      deleteCluster(name);
      return new Side(op, manual);
    }

    /** A persistent cluster with the data, two members' claims and pods deleted (the leader among them), recovered. */
    private Duration survivorByOperator(String name) throws Exception {
      EtcdClusterSpec spec = new EtcdClusterSpec();
      spec.getStorage().setSize("1Gi");
      Duration took;
      createAndLoad(name, spec);
      String leader = cluster(name).getStatus().getLeader();
      List<String> lost = new ArrayList<>(List.of(leader));
      lost.add(IntStream.range(0, 3).mapToObj(i -> name + "-" + i).filter(m -> !m.equals(leader)).findFirst()
          .orElseThrow());
      // one loss: paused meanwhile, the operator does not replace the first member while two still hold a quorum
      MembershipClusters.edit(kube, NS, name, edited -> edited.setPaused(true));
      for (String member : lost) {
        kube.persistentVolumeClaims().inNamespace(NS).withName("data-" + member).delete();
        kube.pods().inNamespace(NS).withName(member).withGracePeriod(0).delete();
      }
      MembershipClusters.edit(kube, NS, name, edited -> edited.setPaused(false));
      awaitLostForGood(name);
      took = recover(name, RecoverySource.Survivor);
      deleteCluster(name);
      return took;
    }

    /** An ephemeral cluster with the data and a Succeeded backup of it, every pod deleted, its loss reported. */
    private EtcdBackupStatus lostEphemeralCluster(String name) throws Exception {
      EtcdClusterSpec spec = new EtcdClusterSpec();
      spec.getStorage().setEphemeral(true);
      createAndLoad(name, spec);
      kube.resources(EtcdBackup.class).inNamespace(NS)
          .resource(TestBackups.toS3(NS, name, name, s3, bucket, "s3", null)).create();
      EtcdBackupStatus backup = TestBackups.awaitFinished(kube, NS, name, operator, AT_MOST);
      if (backup.getPhase() != OperationPhase.Succeeded) {
        throw new IllegalStateException("the backup of " + name + " " + backup.getPhase() + ": " + backup.getMessage());
      }
      kube.pods().inNamespace(NS).withLabel("etcd.quorum.dev/cluster", name).withGracePeriod(0).delete();
      awaitLostForGood(name);
      return backup;
    }

    private void createAndLoad(String name, EtcdClusterSpec spec) throws Exception {
      EtcdCluster cluster = new EtcdCluster();
      cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
      cluster.setSpec(spec);
      kube.resource(cluster).create();
      await(name + " Available").atMost(AT_MOST).pollInterval(Duration.ofMillis(200))
          .until(() -> Clusters.isAvailable(cluster(name)));
      BackupToS3Bench.loadRandom("http://" + Pods.ip(kube, NS, name + "-0") + ":2379", 0, size);
      await(name + "'s members caught up").atMost(AT_MOST).pollInterval(Duration.ofMillis(500))
          .until(() -> members(name).size() == 3
              && members(name).stream().allMatch(m -> m.isReady() && Objects.equals(m.getRevisionLag(), 0L)));
    }

    /** From the EtcdRecovery's create until it has Succeeded. */
    private Duration recover(String name, RecoverySource from) {
      EtcdRecovery recovery = new EtcdRecovery();
      recovery.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
      recovery.getSpec().setClusterName(name);
      recovery.getSpec().setConfirmClusterName(name);
      recovery.getSpec().setFrom(from);
      long start = System.nanoTime();
      kube.resource(recovery).create();
      EtcdRecovery done = await(name + " recovered").atMost(AT_MOST).pollInterval(Duration.ofMillis(100))
          .until(() -> {
            operator.assertAlive();
            return kube.resources(EtcdRecovery.class).inNamespace(NS).withName(name).get();
          }, r -> r.getStatus() != null && r.getStatus().getPhase() != null && r.getStatus().getPhase().finished());
      Duration took = BackupToS3Bench.since(start);
      if (done.getStatus().getPhase() != OperationPhase.Succeeded) {
        throw new IllegalStateException(name + " " + done.getStatus().getPhase() + ": " + done.getStatus().getMessage());
      }
      return took;
    }

    /**
     * etcd's procedure by hand on three processes of this machine: formed, loaded, two members' data directories lost
     * (untimed); then timed: the survivor restarted with --force-new-cluster until healthy, restarted without it, and
     * each other member added ({@code member add}) and started with an empty data directory, one at a time, until all
     * three are healthy.
     */
    private Duration survivorByHand() throws Exception {
      Path dir = WORK.resolve("manual-survivor");
      Rig.deleteRecursively(dir);
      Files.createDirectories(dir);
      List<String> hosts = RestoreBench.MANUAL_HOSTS;
      String initial = IntStream.range(0, 3).mapToObj(i -> "m" + i + "=" + peer(hosts.get(i)))
          .collect(Collectors.joining(","));
      List<ManagedProcess> running = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          running.add(etcd(dir, i, "new", initial, false));
        }
        awaitHealthy(dir, hosts);
        BackupToS3Bench.loadRandom(client(hosts.get(0)), 0, size);
        // the loss: m0 and m1 gone with their data
        for (int i = 0; i < 2; i++) {
          running.get(i).kill();
          Rig.deleteRecursively(dir.resolve("m" + i));
        }
        long start = System.nanoTime();
        running.get(2).stop(Duration.ofSeconds(10));
        ManagedProcess forced = etcd(dir, 2, "new", initial, true);
        running.set(2, forced);
        awaitHealthy(dir, List.of(hosts.get(2)));
        forced.stop(Duration.ofSeconds(10));
        running.set(2, etcd(dir, 2, "new", initial, false));
        awaitHealthy(dir, List.of(hosts.get(2)));
        String members = "m2=" + peer(hosts.get(2));
        List<String> joined = new ArrayList<>(List.of(hosts.get(2)));
        for (int i = 0; i < 2; i++) {
          // etcd refuses ("unhealthy cluster") for a few seconds after the last member joined: a script retries
          int member = i;
          await("member add m" + i).atMost(AT_MOST).pollInterval(Duration.ofMillis(200)).until(() ->
              RestoreBench.Sides.exitCode(dir.resolve("add-m" + member + ".log"), etcdctl(),
                  "--endpoints=" + client(hosts.get(2)), "member", "add", "m" + member,
                  "--peer-urls=" + peer(hosts.get(member))) == 0);
          members += ",m" + i + "=" + peer(hosts.get(i));
          running.set(i, etcd(dir, i, "existing", members, false));
          joined.add(hosts.get(i));
          awaitHealthy(dir, joined);
        }
        return BackupToS3Bench.since(start);
      } finally {
        running.forEach(p -> p.stop(Duration.ofSeconds(10)));
        Rig.deleteRecursively(dir);
      }
    }

    private ManagedProcess etcd(Path dir, int i, String state, String initialCluster, boolean force) {
      String host = RestoreBench.MANUAL_HOSTS.get(i);
      List<String> command = new ArrayList<>(List.of(rig.tools().etcdBinary(version(), "etcd").toString(),
          "--name=m" + i, "--data-dir=" + dir.resolve("m" + i), "--listen-peer-urls=" + peer(host),
          "--listen-client-urls=" + client(host), "--advertise-client-urls=" + client(host),
          "--initial-advertise-peer-urls=" + peer(host), "--initial-cluster=" + initialCluster,
          "--initial-cluster-state=" + state, "--initial-cluster-token=manual"));
      if (force) {
        command.add("--force-new-cluster");
      }
      return ManagedProcess.start("manual-m" + i, command, null, dir, dir.resolve("m" + i + ".log"));
    }

    private void awaitHealthy(Path dir, List<String> hosts) {
      String endpoints = hosts.stream().map(QuorumLossBench::client).collect(Collectors.joining(","));
      await("hand-run members healthy: " + endpoints).atMost(AT_MOST).pollInterval(Duration.ofMillis(100))
          .until(() -> RestoreBench.Sides.exitCode(dir.resolve("health.log"), etcdctl(), "--endpoints=" + endpoints,
              "--command-timeout=2s", "endpoint", "health") == 0);
    }

    private String etcdctl() {
      return rig.tools().etcdBinary(version(), "etcdctl").toString();
    }

    private String version() {
      return rig.tools().defaultEtcdVersion();
    }

    private void awaitLostForGood(String name) {
      await(name + " lost its quorum for good").atMost(AT_MOST).pollInterval(Duration.ofMillis(500))
          .until(() -> cluster(name).getStatus().condition("Degraded")
              .filter(c -> c.getMessage().contains("quorum cannot come back by itself")).isPresent());
    }

    private void deleteCluster(String name) {
      kube.resources(EtcdCluster.class).inNamespace(NS).withName(name).delete();
      RestoreBench.awaitNoPods(kube);
    }

    private EtcdCluster cluster(String name) {
      return kube.resources(EtcdCluster.class).inNamespace(NS).withName(name).get();
    }

    private List<MemberStatus> members(String name) {
      EtcdCluster current = cluster(name);
      return current == null || current.getStatus() == null || current.getStatus().getMembers() == null ? List.of()
          : current.getStatus().getMembers();
    }
  }

  static String peer(String host) {
    return "http://" + host + ":2380";
  }

  static String client(String host) {
    return "http://" + host + ":2379";
  }

  static String report(List<Round> rounds, int size, Instant started, String loadBefore, String loadAfter) {
    List<Round> measured = rounds.stream().filter(r -> !r.warmup()).toList();
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Commit `%s`. Quorum loss to Available, %d MiB of data, 3 members. %s;"
        + " load average %s before, %s after; %s.%n%n", System.getProperty("bench.commit", "unknown"), size,
        BenchMachine.cpuModel(), loadBefore, loadAfter, Duration.between(started, Instant.now()).toMinutes()
        + " min in all"));
    md.append("| round | order | survivor: operator (s) | survivor: manual (s) | ratio | backup: operator (s)"
        + " | backup: manual (s) | ratio |\n");
    md.append("|---|---|--:|--:|--:|--:|--:|--:|\n");
    for (Round r : rounds) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2f | %s | %s | %.2f |%n", r.label(), r.order(),
          BenchMachine.seconds(r.survivor().operator()), BenchMachine.seconds(r.survivor().manual()),
          RestoreBench.ratio(r.survivor().operator(), r.survivor().manual()),
          BenchMachine.seconds(r.backup().operator()), BenchMachine.seconds(r.backup().manual()),
          RestoreBench.ratio(r.backup().operator(), r.backup().manual())));
    }
    Duration survivorOp = RestoreBench.median(measured.stream().map(r -> r.survivor().operator()).toList());
    Duration survivorManual = RestoreBench.median(measured.stream().map(r -> r.survivor().manual()).toList());
    Duration backupOp = RestoreBench.median(measured.stream().map(r -> r.backup().operator()).toList());
    Duration backupManual = RestoreBench.median(measured.stream().map(r -> r.backup().manual()).toList());
    md.append(String.format(Locale.ROOT, "%nMedians of the measured rounds: from the survivor, operator %s s, manual"
        + " %s s, ratio **%.2f**; from a backup, operator %s s, manual %s s, ratio **%.2f**.%n",
        BenchMachine.seconds(survivorOp), BenchMachine.seconds(survivorManual),
        RestoreBench.ratio(survivorOp, survivorManual), BenchMachine.seconds(backupOp),
        BenchMachine.seconds(backupManual), RestoreBench.ratio(backupOp, backupManual)));
    return md.toString();
  }
}
