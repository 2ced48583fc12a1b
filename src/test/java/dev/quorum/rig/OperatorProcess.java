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
 * The operator as users run it: its built jar in a JVM of its own, against the rig's API server through a
 * kubeconfig. Cluster DNS names resolve for it as they would inside a cluster (the rig's hosts file at
 * /etc/hosts in a mount namespace of its own), so it reaches members by their stable names.
 */
public final class OperatorProcess implements AutoCloseable {

  private final ManagedProcess process;
  private final Rig rig;
  private final String dnsClient;
  private final int httpPort;

  private OperatorProcess(ManagedProcess process, Rig rig, String dnsClient, int httpPort) {
    this.process = process;
    this.rig = rig;
    this.dnsClient = dnsClient;
    this.httpPort = httpPort;
  }

  public static Path jar() {
    Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build it with ./mvnw package -DskipTests");
    }
    return jar;
  }

  /** The JVM options the operator runs with unless a test gives its own. */
  public static final List<String> DEFAULT_JVM_ARGS = List.of("-Xmx256m");

  public static OperatorProcess start(Rig rig, String name, Map<String, String> extraEnv) {
    return start(rig, name, extraEnv, DEFAULT_JVM_ARGS);
  }

  /** @param jvmArgs the JVM's options instead of {@link #DEFAULT_JVM_ARGS} (e.g. a smaller heap) */
  public static OperatorProcess start(Rig rig, String name, Map<String, String> extraEnv, List<String> jvmArgs) {
    int port = Net.freePort();
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("KUBECONFIG", rig.controlPlane().kubeconfig().toString());
    env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
    env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
    // as the chart does: member pods that restore a snapshot run this image in tool mode
    registerImage(rig);
    env.put("QUORUM_IMAGE", IMAGE);
    env.putAll(extraEnv);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String dnsClient = "operator-" + name;
    List<String> command = new ArrayList<>(LocalKubelet.withHostsFile(rig.kubelet().clusterDns(dnsClient)));
    command.add(java);
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", jar().toString()));
    ManagedProcess process = ManagedProcess.start("operator-" + name, command, env, rig.dir().resolve("operator"),
        rig.logs().resolve("operator-" + name + ".log"));
    OperatorProcess operator = new OperatorProcess(process, rig, dnsClient, port);
    await("operator started").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("the operator exited:\n" + process.tail(40));
      }
      return Net.isListening("127.0.0.1", port);
    });
    return operator;
  }

  /** The chart's default image; a pod of it runs the built jar, as the real image would. */
  public static final String IMAGE_REPOSITORY = "ghcr.io/quorum-dev/quorum-operator";
  /** The image the jar-run operator says it is; any tag of the repository runs the built jar. */
  public static final String IMAGE = IMAGE_REPOSITORY + ":dev";

  /**
   * Lets the rig's kubelet run the operator's image: the built jar in a JVM, its HTTP server (health probes)
   * on the pod's address, the API server reached in-cluster style through the pod's service account.
   */
  public static void registerImage(Rig rig) {
    Path app = jar().getParent();
    Path javaHome = Path.of(System.getProperty("java.home"));
    // laid out as in Quarkus' JVM images: the application in /deployments, a JDK in /opt/java/openjdk
    rig.images().register(IMAGE_REPOSITORY, image -> new Images.Runtime(
        Map.of("/deployments", app, "/opt/java/openjdk", javaHome),
        List.of("/opt/java/openjdk/bin/java", "-Xmx256m", "-jar", "/deployments/quarkus-run.jar"),
        List.of("/opt/java/openjdk/bin"), Map.of("QUARKUS_HTTP_HOST", "0.0.0.0")));
  }

  /** The operator's HTTP server (health and metrics), on 127.0.0.1. */
  public int httpPort() {
    return httpPort;
  }

  /** Where the operator serves its Prometheus metrics. */
  public URI metricsUrl() {
    return URI.create("http://127.0.0.1:" + httpPort + "/q/metrics");
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

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Fails, with the end of its log, when the operator has exited: a wait for it to act ends at once. */
  public void assertAlive() {
    if (!isAlive()) {
      throw new IllegalStateException("the operator exited:\n" + logTail(40));
    }
  }

  public String logTail(int lines) {
    return process.tail(lines);
  }

  @Override
  public void close() {
    process.stop(Duration.ofSeconds(10));
    rig.kubelet().dropClusterDns(dnsClient);
  }
}
