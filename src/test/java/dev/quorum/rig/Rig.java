package dev.quorum.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The local rig: a real control plane, a local kubelet with one or more nodes and, on request, an S3 server.
 * Everything it starts is stopped by {@link #close()}; logs land under {@code target/rig/<name>/logs}.
 */
public final class Rig implements AutoCloseable {

  public static final String CLUSTER_DOMAIN = "cluster.local";

  private final Tools tools;
  private final Path dir;
  private final Path logs;
  private final Images images;
  private ControlPlane controlPlane;
  private LocalKubelet kubelet;
  private HostHygiene hygiene;
  private boolean bridge;
  private RigImages rigImages;
  private RigNodes nodes;
  private S3Server s3;

  private Rig(Path dir) {
    this.tools = Tools.locate();
    this.dir = dir;
    this.logs = dir.resolve("logs");
    this.images = new Images(tools);
  }

  /** Starts a control plane and a kubelet with {@code nodes} nodes; state and logs under {@code dir}. */
  public static Rig start(Path dir, int nodes) {
    Rig rig = new Rig(dir);
    try {
      if (Files.exists(dir)) {
        deleteRecursively(dir);
      }
      Files.createDirectories(rig.logs);
      rig.controlPlane = new ControlPlane(rig.tools, dir.resolve("control-plane"), rig.logs).start();
      List<String> nodeNames = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        nodeNames.add("rig-node-" + i);
      }
      rig.kubelet = new LocalKubelet(rig.controlPlane.client(), rig.images, dir.resolve("kubelet"),
          rig.logs.resolve("pods"), nodeNames, Map.of(
              "KUBERNETES_SERVICE_HOST", "127.0.0.1",
              "KUBERNETES_SERVICE_PORT", rig.controlPlane.apiUrl().replaceAll(".*:", "")),
          CLUSTER_DOMAIN).start();
      return rig;
    } catch (RuntimeException | IOException e) {
      rig.close();
      throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
    }
  }

  /**
   * Starts a control plane and {@code count} real nodes (kubelet, containerd and runc in network namespaces of their
   * own, kube-proxy, CoreDNS, local volumes), after cleaning what a crashed rig left; state and logs under {@code dir}.
   */
  public static Rig startNodes(Path dir, int count) {
    Rig rig = new Rig(dir);
    try {
      rig.hygiene = HostHygiene.claim(rig.tools, dir);
      if (Files.exists(dir)) {
        deleteRecursively(dir);
      }
      Files.createDirectories(rig.logs);
      rig.rigImages = new RigImages(rig.tools, dir.resolve("images"));
      RigNodes.createBridge();
      rig.bridge = true;
      List<String> nodeNames = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        nodeNames.add(RigAddresses.nodeName(i));
      }
      rig.controlPlane = ControlPlane.forNodes(rig.tools, dir.resolve("control-plane"), rig.logs, nodeNames).start();
      rig.nodes = RigNodes.start(rig.tools, dir.resolve("nodes"), rig.logs, rig.rigImages, rig.controlPlane, count);
      return rig;
    } catch (RuntimeException | IOException e) {
      rig.close();
      throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
    }
  }

  /** Under target/rig/&lt;name&gt; of the module being built. */
  public static Rig start(String name, int nodes) {
    return start(Path.of("target", "rig", name).toAbsolutePath(), nodes);
  }

  public synchronized S3Server s3() {
    if (s3 == null) {
      s3 = new S3Server(tools, dir.resolve("s3"), logs);
    }
    return s3;
  }

  public Tools tools() {
    return tools;
  }

  public Images images() {
    return images;
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  public io.fabric8.kubernetes.client.KubernetesClient client() {
    return controlPlane.client();
  }

  public LocalKubelet kubelet() {
    return kubelet;
  }

  /** The real nodes (a rig from {@link #startNodes}). */
  public RigNodes nodes() {
    return nodes;
  }

  public RigImages rigImages() {
    return rigImages;
  }

  public Path dir() {
    return dir;
  }

  public Path logs() {
    return logs;
  }

  @Override
  public void close() {
    if (kubelet != null) {
      kubelet.close();
    }
    if (nodes != null) {
      nodes.close();
    }
    if (s3 != null) {
      s3.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
    if (bridge) {
      RigNodes.deleteBridge();
    }
    if (hygiene != null) {
      hygiene.close();
    }
  }

  /** Deletes a directory tree (or a file); nothing to do when it is not there. */
  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (var walk = Files.walk(path)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
