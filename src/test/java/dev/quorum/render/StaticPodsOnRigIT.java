package dev.quorum.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.noderecovery.NodeRecoveryCommand;
import dev.quorum.rig.Rig;
import dev.quorum.rig.RigAddresses;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.TestEtcd;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Static pods on the rig's nodes: a manifest put in a node's static pod directory runs on that node with a mirror pod
 * in the API, and goes when the file goes. Shown with what {@code quorum render} writes for the rig's three nodes,
 * recovered after a quorum loss by the node-local commands.
 */
// static members take the nodes' etcd ports: one static-pod class at a time
@ResourceLock(RigSession.NODES_STATIC_PODS)
class StaticPodsOnRigIT {

  @RegisterExtension
  // static pods and the node agent write host directories: the privileged level, as README says
  static final RigSession RIG = RigSession.privileged();

  /**
   * What {@code quorum render} writes for the rig's three nodes forms one healthy etcd cluster of static pods, each on
   * its node's address with its data on the node. Then kubeadm's case, where the operator cannot act (its etcd backs
   * the API server): two of the three members lost, one with its data gone, one with stale data; on their nodes, by
   * hand, {@code quorum recover-survivor} on the survivor's node and {@code quorum rejoin-member} on each other node
   * bring back three voters with the survivor's data, the stale data set aside.
   */
  @Test
  void renderedStaticPodsFormOneClusterAndTwoLostMembersAreRecoveredOnTheirNodesByTheToolsCommands()
      throws Exception {
    Rig kubelet = RIG.rig();
    KubernetesClient kube = RIG.client();
    List<String> nodes = kubelet.nodeNames().subList(0, 3);
    Path out = Path.of("target", "static-pods-it", "recovery").toAbsolutePath();
    Rig.deleteRecursively(out);
    String peers = IntStream.range(0, 3).mapToObj(i -> nodes.get(i) + "=" + RigAddresses.nodeIp(i))
        .collect(Collectors.joining(","));
    assertThat(RenderCommand.run(new String[] {"render", "--peers", peers, "--token", "recovery-it", "--out",
        out.toString()}, System.out, System.err)).isZero();
    String survivor = nodes.get(2);
    String survivorUrl = "http://" + RigAddresses.nodeIp(2) + ":2379";
    try {
      for (String node : nodes) {
        Files.copy(out.resolve(node).resolve("etcd.yaml"), kubelet.staticPodDirectory(node).resolve("etcd.yaml"));
      }
      awaitStartedMembers(nodes, 3);
      // each a mirror pod on its node, on the node's address (host network), once the kubelet has reported it
      await("mirror pods on their nodes' addresses").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
          .until(() -> IntStream.range(0, nodes.size()).allMatch(i -> {
            Pod mirror = kube.pods().inNamespace("kube-system").withName("etcd-" + nodes.get(i)).get();
            return mirror != null && mirror.getMetadata().getAnnotations().containsKey("kubernetes.io/config.mirror")
                && nodes.get(i).equals(mirror.getSpec().getNodeName()) && mirror.getStatus() != null
                && RigAddresses.nodeIp(i).equals(mirror.getStatus().getPodIP());
          }));
      assertThat(Files.isDirectory(kubelet.nodeHostPath(nodes.get(1), "/var/lib/etcd/member")))
          .as("data on the node's own host path").isTrue();
      try (TestEtcd etcd = TestEtcd.at(kube, "kube-system", "etcd-" + nodes.get(0))) {
        etcd.putKeys("/kept/", 200);
      }
      await("the survivor caught up").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
          .ignoreExceptions().until(() -> {
            try (TestEtcd etcd = TestEtcd.at(kube, "kube-system", "etcd-" + survivor)) {
              return etcd.read("/kept/").size() == 200;
            }
          });

      // the loss: both other members stopped (their manifests taken out), node 0's data gone, node 1's kept (stale)
      Path held = Files.createDirectories(out.resolve("held"));
      for (int i = 0; i < 2; i++) {
        Files.move(kubelet.staticPodDirectory(nodes.get(i)).resolve("etcd.yaml"),
            held.resolve(nodes.get(i) + ".yaml"));
      }
      await("the two members stopped").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
          .until(() -> nodes.subList(0, 2).stream()
              .allMatch(n -> kube.pods().inNamespace("kube-system").withName("etcd-" + n).get() == null));
      Rig.deleteRecursively(kubelet.nodeHostPath(nodes.get(0), "/var/lib/etcd"));

      assertThat(tool("recover-survivor", "--manifest",
          kubelet.staticPodDirectory(survivor).resolve("etcd.yaml").toString(), "--confirm", survivor,
          "--host-root", kubelet.nodeHostPath(survivor, "/").toString(), "--timeout", "3m")).isZero();
      assertThat(Files.readString(kubelet.staticPodDirectory(survivor).resolve("etcd.yaml")))
          .doesNotContain("force-new-cluster");
      for (int i = 0; i < 2; i++) {
        assertThat(tool("rejoin-member", "--manifest", held.resolve(nodes.get(i) + ".yaml").toString(),
            "--survivor", survivorUrl, "--manifest-dir", kubelet.staticPodDirectory(nodes.get(i)).toString(),
            "--host-root", kubelet.nodeHostPath(nodes.get(i), "/").toString(), "--timeout", "3m")).isZero();
      }

      awaitStartedMembers(nodes, 3);
      String list = RIG.etcdctl("--endpoints=" + survivorUrl, "member", "list").output();
      assertThat(list.lines().filter(l -> l.contains(", started, ") && l.endsWith(", false"))).as(list).hasSize(3);
      for (String node : nodes) {
        try (TestEtcd etcd = TestEtcd.at(kube, "kube-system", "etcd-" + node)) {
          assertThat(etcd.read("/kept/")).as(node).isEqualTo(TestEtcd.expected("/kept/", 200));
        }
      }
      try (var siblings = Files.list(kubelet.nodeHostPath(nodes.get(1), "/var/lib"))) {
        assertThat(siblings.map(p -> p.getFileName().toString())).as("node 1's stale data set aside")
            .anyMatch(name -> name.startsWith("etcd.set-aside-"));
      }
    } finally {
      removeMembers(nodes);
    }
  }

  /** The image's tool command, run as on the node (the same code as {@code quorum <command>}). */
  private static int tool(String... args) {
    return NodeRecoveryCommand.run(args, System.out, System.err);
  }

  private static void awaitStartedMembers(List<String> nodes, int count) {
    String endpoints = IntStream.range(0, nodes.size()).mapToObj(i -> "http://" + RigAddresses.nodeIp(i) + ":2379")
        .collect(Collectors.joining(","));
    await(count + " started, healthy members").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> {
          String list = RIG.etcdctl("--endpoints=" + endpoints, "member", "list").output();
          return list.lines().filter(l -> l.contains(", started, ")).count() == count
              && !RIG.etcdctl("--endpoints=" + endpoints, "endpoint", "health").output().contains("unhealthy");
        });
  }

  /** Each node's etcd.yaml deleted, its mirror pod gone, and its etcd data (set aside too) deleted. */
  private static void removeMembers(List<String> nodes) throws Exception {
    Rig kubelet = RIG.rig();
    KubernetesClient kube = RIG.client();
    for (String node : nodes) {
      Files.deleteIfExists(kubelet.staticPodDirectory(node).resolve("etcd.yaml"));
    }
    await("mirror pods gone with their files").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
        .until(() -> nodes.stream().allMatch(n -> kube.pods().inNamespace("kube-system").withName("etcd-" + n)
            .get() == null));
    for (String node : nodes) {
      try (var siblings = Files.list(kubelet.nodeHostPath(node, "/var/lib"))) {
        for (Path path : siblings.filter(p -> p.getFileName().toString().startsWith("etcd")).toList()) {
          Rig.deleteRecursively(path);
        }
      }
    }
  }
}
