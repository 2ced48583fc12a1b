package dev.quorum.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.rig.Pods;
import dev.quorum.rig.Rig;
import dev.quorum.rig.RigAddresses;
import dev.quorum.rig.RigSession;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Static pods on the rig's nodes: a manifest put in a node's static pod directory runs on that node with a mirror pod
 * in the API, and goes when the file goes. Shown with what {@code quorum render} writes for
 * the rig's three nodes: the three etcd.yaml form one healthy etcd cluster on the nodes' addresses.
 */
// alone: static members take the nodes' etcd ports
@Isolated
class StaticPodsOnRigIT {

  @RegisterExtension
  // static pods and the node agent write host directories: the privileged level, as README says
  static final RigSession RIG = RigSession.privileged();

  @Test
  void renderedStaticPodsOnEachNodeFormOneEtcdCluster() throws Exception {
    Rig kubelet = RIG.rig();
    KubernetesClient kube = RIG.client();
    List<String> nodes = kubelet.nodeNames().subList(0, 3);
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      peers.add(nodes.get(i) + "=" + RigAddresses.nodeIp(i));
    }
    Path out = Path.of("target", "static-pods-it").toAbsolutePath();
    Rig.deleteRecursively(out);
    assertThat(RenderCommand.run(new String[] {"render", "--peers", String.join(",", peers), "--token", "static-it",
        "--out", out.toString()}, System.out, System.err)).isZero();
    try {
      for (String node : nodes) {
        Files.copy(out.resolve(node).resolve("etcd.yaml"), kubelet.staticPodDirectory(node).resolve("etcd.yaml"));
      }
      await("three ready mirror pods").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() ->
          nodes.stream().allMatch(node -> {
            Pod mirror = kube.pods().inNamespace("kube-system").withName("etcd-" + node).get();
            return mirror != null && Pods.isReady(mirror)
                && mirror.getMetadata().getAnnotations().containsKey("kubernetes.io/config.mirror")
                && node.equals(mirror.getSpec().getNodeName());
          }));
      Pod first = kube.pods().inNamespace("kube-system").withName("etcd-" + nodes.get(0)).get();
      assertThat(first.getStatus().getPodIP()).as("host network: the node's address").isEqualTo(RigAddresses.nodeIp(0));
      String endpoints = nodes.stream().map(n -> "http://" + RigAddresses.nodeIp(nodes.indexOf(n)) + ":2379")
          .collect(Collectors.joining(","));
      String list = RIG.etcdctl("--endpoints=" + endpoints, "member", "list").output();
      assertThat(list.lines().filter(l -> l.contains(", started, "))).as(list).hasSize(3);
      assertThat(RIG.etcdctl("--endpoints=" + endpoints, "endpoint", "health").output()).doesNotContain("unhealthy");
      assertThat(Files.isDirectory(kubelet.nodeHostPath(nodes.get(1), "/var/lib/etcd/member")))
          .as("data on the node's own host path").isTrue();
    } finally {
      for (String node : nodes) {
        Files.deleteIfExists(kubelet.staticPodDirectory(node).resolve("etcd.yaml"));
      }
      await("mirror pods gone with their files").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
          .until(() -> nodes.stream().allMatch(n -> kube.pods().inNamespace("kube-system").withName("etcd-" + n)
              .get() == null));
      for (String node : nodes) {
        Rig.deleteRecursively(kubelet.nodeHostPath(node, "/var/lib/etcd"));
      }
    }
  }
}
