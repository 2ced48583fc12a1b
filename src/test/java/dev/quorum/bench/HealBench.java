package dev.quorum.bench;

import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.membership.FaultMatrix;
import dev.quorum.membership.FaultMatrix.Position;
import dev.quorum.membership.MemberFault;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.QuorumCrds;
import dev.quorum.rig.Rig;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Time to heal per kind of fault, at member 0 of a 3-member cluster while a client writes through the client Service,
 * next to the baseline of a member that restarts with its data intact (its etcd process killed and restarted by the
 * kubelet): the same rig, the same run, the kinds taken in turn within each round (the order rotating). Healed means
 * what the fault matrix checks: Available, every member ready, three started voters and no learner in etcd's own list.
 *
 * <p>Run through {@code bench/heal.sh [--rounds N] [--warmup N]}.
 */
public final class HealBench {

  static final String NS = "bench";
  static final String RIG_NAME = "bench-heal";
  static final Path REPORT = Path.of("target", "bench", "heal.md");
  /** The replace deadline of the bench's operator: a broken member's case is this plus its replacement. */
  static final Duration REPLACE_BROKEN_AFTER = Duration.ofSeconds(20);
  /** How often the bench's operator reads etcd without a Kubernetes event (30 s by default). */
  static final Duration STATUS_REFRESH = Duration.ofSeconds(2);
  static final String BASELINE = MemberFault.PROCESS_KILLED.name();
  static final String CUT_OFF = "CUT_OFF_THEN_HEALED";

  public static void main(String[] args) {
    BenchMachine.runAndExit(args, HealBench::run);
  }

  static void run(String[] args) throws Exception {
    int rounds = BenchMachine.intArg(args, "--rounds", 3);
    int warmup = BenchMachine.intArg(args, "--warmup", 1);
    PrintStream out = System.out;
    String loadBefore = BenchMachine.loadAverage();
    Instant started = Instant.now();
    List<String> kinds = new ArrayList<>();
    for (MemberFault fault : MemberFault.values()) {
      kinds.add(fault.name());
    }
    kinds.add(CUT_OFF);
    Map<String, List<Duration>> measured = new LinkedHashMap<>();
    kinds.forEach(kind -> measured.put(kind, new ArrayList<>()));
    try (Rig rig = Rig.start(RIG_NAME, 3)) {
      KubernetesClient kube = rig.client();
      QuorumCrds.install(kube);
      BenchMachine.createNamespace(kube, NS);
      // the fault matrix's settings: a cut is seen within the refresh (a cut member's pod turns not ready only after
      // its readiness probes time out, some 15 s), well within the deadline it must heal before
      try (OperatorProcess operator = OperatorProcess.start(rig, "bench", Map.of(
          "QUORUM_MEMBERSHIP_REPLACE_BROKEN_AFTER", REPLACE_BROKEN_AFTER.toSeconds() + "s",
          "QUORUM_STATUS_REFRESH_INTERVAL", STATUS_REFRESH.toSeconds() + "s"))) {
        FaultMatrix matrix = new FaultMatrix(rig, NS, () -> operator);
        for (int round = 0; round < warmup + rounds; round++) {
          boolean isWarmup = round < warmup;
          List<String> order = new ArrayList<>(kinds);
          Collections.rotate(order, round);
          for (String kind : order) {
            Duration time = heal(matrix, kind);
            out.printf("    round %s %s: %s s%n", isWarmup ? "w" + (round + 1) : round - warmup + 1, kind,
                BenchMachine.seconds(time));
            if (!isWarmup) {
              measured.get(kind).add(time);
            }
          }
        }
      } finally {
        kube.resources(EtcdCluster.class).inNamespace(NS).delete();
        RestoreBench.awaitNoPods(kube);
      }
    }
    String report = report(measured, rounds, warmup, started, loadBefore, BenchMachine.loadAverage());
    Files.createDirectories(REPORT.getParent());
    Files.writeString(REPORT, report);
    out.println();
    out.print(report);
    out.println("==> written to " + REPORT.toAbsolutePath());
  }

  private static Duration heal(FaultMatrix matrix, String kind) throws Exception {
    if (CUT_OFF.equals(kind)) {
      String cluster = matrix.cluster(3, false);
      return matrix.cutOffAndHeal(cluster, 3, Position.MEMBER_0, REPLACE_BROKEN_AFTER).timeToHeal();
    }
    MemberFault fault = MemberFault.valueOf(kind);
    String cluster = matrix.cluster(3, fault.ephemeral());
    return matrix.inflict(cluster, 3, fault, Position.MEMBER_0).timeToHeal();
  }

  static String report(Map<String, List<Duration>> measured, int rounds, int warmup, Instant started,
      String loadBefore, String loadAfter) {
    Duration baseline = median(measured.get(BASELINE));
    StringBuilder md = new StringBuilder();
    md.append("Commit `").append(System.getProperty("bench.commit", "unknown")).append("`, ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores (").append(BenchMachine.cpuModel())
        .append("), ").append(rounds).append(" measured rounds after ").append(warmup).append(" warm-up, ")
        .append(Duration.between(started, Instant.now()).toMinutes()).append(" min in all:\n\n");
    md.append("| fault at member 0 of 3 | runs (s) | median (s) | median / baseline |\n|---|---|---|---|\n");
    measured.forEach((kind, times) -> {
      List<String> runs = times.stream().map(BenchMachine::seconds).toList();
      Duration median = median(times);
      md.append("| ").append(describe(kind)).append(" | ").append(String.join(", ", runs)).append(" | ")
          .append(BenchMachine.seconds(median)).append(" | ")
          .append(kind.equals(BASELINE) ? "1.00 (baseline)" : String.format(Locale.ROOT, "%.2f",
              median.toNanos() / (double) baseline.toNanos()))
          .append(" |\n");
    });
    md.append("\nLoad average ").append(loadBefore).append(" before, ").append(loadAfter).append(" after.\n");
    return md.toString();
  }

  private static String describe(String kind) {
    return switch (kind) {
      case "POD_DELETED" -> "pod deleted (persistent: restarts on its claim)";
      case "EPHEMERAL_POD_DELETED" -> "pod deleted (ephemeral: replaced)";
      case "POD_AND_CLAIM_DELETED" -> "pod and claim deleted (replaced)";
      case "PROCESS_KILLED" -> "etcd killed, restarted with its data (**baseline**)";
      case "BROKEN_PAST_THE_DEADLINE" -> "etcd cannot start (replaced after the " + REPLACE_BROKEN_AFTER.toSeconds()
          + " s deadline)";
      case CUT_OFF -> "cut off from the others, then healed (from the heal)";
      default -> kind;
    };
  }

  static Duration median(List<Duration> times) {
    List<Duration> sorted = times.stream().sorted().toList();
    return sorted.isEmpty() ? Duration.ZERO : sorted.get(sorted.size() / 2);
  }
}
