package dev.quorum.rig;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator as a process on this machine, for tests about the process itself (failpoints, halting it, a heap
 * setting): its built jar in a JVM of its own, against the rig's API server through a kubeconfig. It reaches the
 * cluster as a pod would: inside a node's network (pod and Service routes) with cluster DNS as its resolver, so it
 * addresses members by their stable names. Everything else runs the operator as the chart's pod.
 */
public final class OperatorProcess implements RunningOperator {

  private final ManagedProcess process;
  private final String host;
  private final int httpPort;

  private OperatorProcess(ManagedProcess process, String host, int httpPort) {
    this.process = process;
    this.host = host;
    this.httpPort = httpPort;
  }

  public static Path jar() {
    Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build it with ./mvnw package -DskipTests");
    }
    return jar;
  }

  /**
   * Ports in the first node's network, where every operator process of this JVM listens (one rig per machine, so no
   * other JVM's): counted, as a free port on this machine's own network says nothing about that one.
   */
  private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT =
      new java.util.concurrent.atomic.AtomicInteger(18080);

  /** The operator's setting of the namespaces it watches (all when unset), as the chart sets it. */
  public static final String WATCH_NAMESPACES = "QUORUM_WATCH_NAMESPACES";

  /**
   * The JVM options the operator runs with unless a test gives its own. C1 only: the suite starts some sixty operators
   * on two cores, and C2's compilations would take a third of each start's CPU from the tests beside it; the chart's
   * pod runs with the image's own settings.
   */
  public static final List<String> DEFAULT_JVM_ARGS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");

  public static OperatorProcess start(Rig rig, String name, Map<String, String> extraEnv) {
    return start(rig, name, extraEnv, DEFAULT_JVM_ARGS);
  }

  /** @param jvmArgs the JVM's options instead of {@link #DEFAULT_JVM_ARGS} (e.g. a smaller heap) */
  public static OperatorProcess start(Rig rig, String name, Map<String, String> extraEnv, List<String> jvmArgs) {
    int port = NEXT_PORT.getAndIncrement();
    String host = rig.nodes().all().get(0).ip();
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("KUBECONFIG", rig.controlPlane().kubeconfig().toString());
    env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
    env.put("QUARKUS_HTTP_HOST", host);
    // as the chart does: member pods that restore a snapshot run this image in tool mode
    env.put("QUORUM_IMAGE", rig.importOperatorImage().reference());
    env.putAll(extraEnv);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", jar().toString()));
    ManagedProcess process = ManagedProcess.start("operator-" + name,
        rig.nodes().inClusterCommand("default", command), env,
        rig.dir().resolve("operator"), rig.logs().resolve("operator-" + name + ".log"));
    OperatorProcess operator = new OperatorProcess(process, host, port);
    await("operator started").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("the operator exited:\n" + process.tail(40));
      }
      return Net.isListening(host, port);
    });
    return operator;
  }

  /** The operator's HTTP server (health and metrics), on the node's address. */
  public int httpPort() {
    return httpPort;
  }

  /** Where the operator serves its Prometheus metrics. */
  public URI metricsUrl() {
    return URI.create("http://" + host + ":" + httpPort + "/q/metrics");
  }

  /** Waits until the process has ended by itself (a failpoint halted it); false if it still runs after {@code wait}. */
  public boolean awaitExit(Duration wait) {
    try {
      return process.process().waitFor(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public String logTail(int lines) {
    return process.tail(lines);
  }

  @Override
  public void close() {
    process.stop(Duration.ofSeconds(10));
  }
}
