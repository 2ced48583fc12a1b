package dev.quorum.bench;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** What a benchmark report says about the machine, how it prints times, and what every benchmark sets up alike. */
final class BenchMachine {

  private BenchMachine() {}

  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  static String cpuModel() {
    try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("model name")).map(l -> l.replaceFirst("^[^:]*:\\s*", ""))
          .findFirst().orElse("unknown CPU");
    } catch (IOException | UncheckedIOException e) {
      return "unknown CPU";
    }
  }

  /** A benchmark's body, which may throw anything. */
  @FunctionalInterface
  interface Body {
    void run(String[] args) throws Exception;
  }

  /**
   * Runs a benchmark's body and exits with its outcome: client libraries' idle non-daemon threads would otherwise keep
   * the JVM alive after it is done, or after it failed.
   */
  static void runAndExit(String[] args, Body body) {
    try {
      body.run(args);
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  /** The number after {@code name} among a bench's arguments, or {@code fallback}. */
  static int intArg(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return fallback;
  }

  /** Outside the timed part: pods of a namespace without its default service account are refused. */
  static void createNamespace(KubernetesClient kube, String namespace) {
    kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    await(namespace + " default service account").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> kube.serviceAccounts().inNamespace(namespace).withName("default").get() != null);
  }

  static String seconds(Duration d) {
    return d == null ? "-" : String.format(Locale.ROOT, "%.2f", d.toNanos() / 1e9);
  }
}
