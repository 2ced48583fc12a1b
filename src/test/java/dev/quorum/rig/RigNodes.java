package dev.quorum.rig;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The rig's nodes: the bridge they share, each {@link RigNode}, and what a cluster runs on top of them (kube-proxy's
 * identity, CoreDNS, the default storage class and its {@link LocalVolumeProvisioner}). Started after the control
 * plane; {@link #close()} undoes all of it.
 */
public final class RigNodes implements AutoCloseable {

  private final Tools tools;
  private final Path dir;
  private final Path logs;
  private final RigImages images;
  private final List<RigNode> nodes = new ArrayList<>();
  private LocalVolumeProvisioner provisioner;

  private RigNodes(Tools tools, Path dir, Path logs, RigImages images) {
    this.tools = tools;
    this.dir = dir;
    this.logs = logs;
    this.images = images;
  }

  /** The bridge the control plane listens on; made before it starts. */
  static void createBridge() {
    HostCommand.run("create the rig's bridge", "ip", "link", "add", RigAddresses.BRIDGE, "type", "bridge");
    HostCommand.run("address the rig's bridge", "ip", "addr", "add",
        RigAddresses.HOST_IP + "/" + RigAddresses.BRIDGE_PREFIX, "dev", RigAddresses.BRIDGE);
    HostCommand.run("bring the rig's bridge up", "ip", "link", "set", RigAddresses.BRIDGE, "up");
  }

  static void deleteBridge() {
    HostCommand.attempt("ip", "link", "del", RigAddresses.BRIDGE);
  }

  static RigNodes start(Tools tools, Path dir, Path logs, RigImages images, ControlPlane controlPlane, int count) {
    RigNodes fleet = new RigNodes(tools, dir, logs, images);
    try {
      List<RigImages.Image> nodeImages = images.nodeImages();
      for (int i = 0; i < count; i++) {
        fleet.nodes.add(new RigNode(i, count, tools, dir.resolve(RigAddresses.nodeName(i)), logs, controlPlane)
            .start(nodeImages));
      }
      KubernetesClient client = controlPlane.client();
      fleet.provisioner = new LocalVolumeProvisioner(client, fleet::volumeDirectory).start();
      fleet.applyAddons(client);
      fleet.awaitReady(client);
      return fleet;
    } catch (RuntimeException e) {
      fleet.close();
      throw e;
    }
  }

  private Path volumeDirectory(String node) {
    return dir.resolve(node).resolve("volumes");
  }

  private void applyAddons(KubernetesClient client) {
    String manifest;
    try (InputStream in = RigNodes.class.getResourceAsStream("/rig/cluster-addons.yaml")) {
      manifest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (var value : Map.of("CLUSTER_DOMAIN", RigAddresses.CLUSTER_DOMAIN, "COREDNS_IMAGE",
        RigImages.coreDnsReference(tools), "DNS_IP", RigAddresses.DNS_IP, "STORAGE_CLASS",
        LocalVolumeProvisioner.STORAGE_CLASS, "EXPANDABLE_STORAGE_CLASS", LocalVolumeProvisioner.EXPANDABLE_STORAGE_CLASS,
        "PROVISIONER", LocalVolumeProvisioner.PROVISIONER).entrySet()) {
      manifest = manifest.replace("${" + value.getKey() + "}", value.getValue());
    }
    client.load(new java.io.ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8))).items()
        .forEach(object -> client.resource(object).forceConflicts().serverSideApply());
  }

  /** Every node Ready and cluster DNS answering: before that, no test's pod could start or resolve a name. */
  private void awaitReady(KubernetesClient client) {
    await("nodes Ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
      List<String> ready = client.nodes().list().getItems().stream().filter(RigNodes::isReady)
          .map(n -> n.getMetadata().getName()).toList();
      return ready.containsAll(names());
    });
    await("cluster DNS available").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
      var deployment = client.apps().deployments().inNamespace("kube-system").withName("coredns").get();
      return deployment != null && deployment.getStatus() != null
          && Integer.valueOf(1).equals(deployment.getStatus().getReadyReplicas());
    });
  }

  public static boolean isReady(Node node) {
    return node.getStatus() != null && node.getStatus().getConditions() != null && node.getStatus().getConditions()
        .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  public List<String> names() {
    return nodes.stream().map(RigNode::name).toList();
  }

  public List<RigNode> all() {
    return List.copyOf(nodes);
  }

  public RigNode node(String name) {
    return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no node " + name + " (have " + names() + ")"));
  }

  /** Makes {@code image} present on every node. */
  public void importImage(RigImages.Image image) {
    nodes.forEach(node -> node.importImage(image));
  }

  /**
   * {@code command} run as a client in {@code namespace} inside the cluster would: in a node's network (pod and Service
   * routes), with cluster DNS as its resolver and the namespace's search domains (a private mount of resolv.conf).
   */
  public List<String> inClusterCommand(String namespace, List<String> command) {
    Path resolvConf = dir.resolve("resolv-" + namespace + ".conf");
    try {
      Files.writeString(resolvConf, RigAddresses.resolvConf(namespace));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + nodes.get(0).netns(), "--", "unshare",
        "--mount", "--propagation", "private", "--", "sh", "-c",
        "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"", resolvConf.toString()));
    full.addAll(command);
    return full;
  }

  @Override
  public void close() {
    if (provisioner != null) {
      provisioner.close();
    }
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }
}
