package dev.quorum.rig;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The local rig: a real control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) and real nodes
 * ({@link RigNodes}: kubelet, containerd and runc, kube-proxy, CoreDNS, local volumes) and, on request, an S3 server.
 * One rig runs on a machine at a time; starting one cleans what a crashed one left. Everything it starts is stopped
 * by {@link #close()}; logs land under {@code <dir>/logs}.
 */
public final class Rig implements AutoCloseable {

  public static final String CLUSTER_DOMAIN = RigAddresses.CLUSTER_DOMAIN;

  private final Tools tools;
  private final Path dir;
  private final Path logs;
  private final RigImages images;
  private HostHygiene hygiene;
  private boolean bridge;
  private ControlPlane controlPlane;
  private RigNodes nodes;
  private RealNodeFaults faults;
  private S3Server s3;
  private RigImages.Image operatorImage;
  /** Closes the rig when the JVM is stopped (Ctrl-C, SIGTERM) before its owner could: nodes leave pods and links. */
  private final Thread closeOnExit = new Thread(this::close, "rig-close-on-exit");
  private boolean closed;

  private Rig(Path dir) {
    this.tools = Tools.locate();
    this.dir = dir;
    this.logs = dir.resolve("logs");
    this.images = new RigImages(tools, dir.resolve("images"));
  }

  /** Starts a control plane and {@code count} nodes; state and logs under {@code dir}. */
  public static Rig start(Path dir, int count) {
    Rig rig = new Rig(dir);
    try {
      rig.hygiene = HostHygiene.claim(rig.tools, dir);
      Runtime.getRuntime().addShutdownHook(rig.closeOnExit);
      if (Files.exists(dir)) {
        deleteRecursively(dir);
      }
      Files.createDirectories(rig.logs);
      RigNodes.createBridge();
      rig.bridge = true;
      List<String> nodeNames = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        nodeNames.add(RigAddresses.nodeName(i));
      }
      rig.controlPlane = ControlPlane.forNodes(rig.tools, dir.resolve("control-plane"), rig.logs, nodeNames).start();
      rig.nodes = RigNodes.start(rig.tools, dir.resolve("nodes"), rig.logs, rig.images, rig.controlPlane, count);
      rig.faults = new RealNodeFaults(rig.client(), rig.nodes);
      return rig;
    } catch (RuntimeException | IOException e) {
      rig.close();
      throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
    }
  }

  /** Under target/rig/&lt;name&gt; of the module being built. */
  public static Rig start(String name, int count) {
    return start(Path.of("target", "rig", name).toAbsolutePath(), count);
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

  /** The images the nodes run; {@link RigImages#operator()} is built and imported on first use. */
  public RigImages images() {
    return images;
  }

  /** Makes the operator's image (as the build describes it) present on every node, once per rig. */
  public synchronized RigImages.Image importOperatorImage() {
    if (operatorImage == null) {
      RigImages.Image image = images.operator();
      nodes.importImage(image);
      operatorImage = image;
    }
    return operatorImage;
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  public KubernetesClient client() {
    return controlPlane.client();
  }

  public RigNodes nodes() {
    return nodes;
  }

  public List<String> nodeNames() {
    return nodes.names();
  }

  /** The process of a pod's running container, on this machine (its node's containerd task). */
  public ProcessHandle containerProcess(String namespace, String pod, String container) {
    long pid = new PodContainers(client(), nodes).running(namespace, pod, container).pid();
    return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("process " + pid + " of " + namespace
        + "/" + pod + "/" + container + " is gone"));
  }

  /** What tests can do to members: {@link NodeFaults}. */
  public NodeFaults faults() {
    return faults;
  }

  /** Where node {@code node}'s host path {@code path} lives on this machine (a static pod manifest, its data). */
  public Path nodeHostPath(String node, String path) {
    return nodes.node(node).hostPath(path);
  }

  /** Node {@code node}'s static pod directory, as this machine reaches it: the kubelet runs what is written there. */
  public Path staticPodDirectory(String node) {
    return nodeHostPath(node, STATIC_POD_PATH);
  }

  /** Where every rig node's kubelet reads static pods, kubeadm's place. */
  public static final String STATIC_POD_PATH = "/etc/kubernetes/manifests";

  /**
   * Runs a command as a client pod in {@code namespace} would: in the cluster's network, cluster DNS names (pods
   * and Services) resolving through CoreDNS. For etcdctl and friends against the cluster's Services.
   */
  public ClientResult runInCluster(String namespace, Duration timeout, String... argv) {
    return ClientResult.run(nodes.inClusterCommand(namespace, List.of(argv)), timeout, dir);
  }

  public Path dir() {
    return dir;
  }

  /** Everything the containers of {@code namespace}'s pods logged on any node, restarted containers included. */
  public String podLogs(String namespace) {
    return podLogs(namespace, "");
  }

  /** What the containers of the pods named {@code podPrefix}… in {@code namespace} logged, on any node. */
  public String podLogs(String namespace, String podPrefix) {
    StringBuilder logs = new StringBuilder();
    for (RigNode node : nodes.all()) {
      Path podLogs = node.dir().resolve("pod-logs");
      try (var files = Files.walk(podLogs)) {
        for (Path log : files.filter(f -> f.toString().endsWith(".log"))
            .filter(f -> podLogs.relativize(f).getName(0).toString().startsWith(namespace + "_" + podPrefix))
            .sorted().toList()) {
          logs.append(Files.readString(log));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return logs.toString();
  }

  public Path logs() {
    return logs;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(closeOnExit);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // the JVM is exiting (this is the hook), or the hook was never added
    }
    if (faults != null) {
      faults.close();
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
