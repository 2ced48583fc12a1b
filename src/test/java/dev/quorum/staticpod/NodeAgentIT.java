package dev.quorum.staticpod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.model.Labels;
import dev.quorum.rig.ManagedProcess;
import dev.quorum.rig.Rig;
import dev.quorum.rig.RigSession;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The node agent, run from the operator's jar in its {@code node-agent} mode against the rig's API server, keeps a
 * node's static pod directory holding the manifests of that node's ConfigMaps: the kubelet runs them, a changed
 * ConfigMap changes the pod, a deleted one removes it, and kubeadm's own files are left alone.
 */
// writes the static pod directory of a node: one static-pod class at a time
@ResourceLock(RigSession.NODES_STATIC_PODS)
class NodeAgentIT {

  @RegisterExtension
  // static pods and the node agent write host directories: the privileged level, as README says
  static final RigSession RIG = RigSession.privileged();

  @Test
  void theAgentWritesItsNodesManifestsAndTheKubeletRunsThem() throws Exception {
    KubernetesClient kube = RIG.client();
    Rig kubelet = RIG.rig();
    String node = kubelet.nodeNames().get(0);
    String ns = RIG.namespace();
    Path dir = kubelet.staticPodDirectory(node);
    Files.writeString(dir.resolve("kube-scheduler.yaml.disabled"), "not the agent's");
    Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
    Path logs = RIG.rig().logs();
    try (ManagedProcess agent = ManagedProcess.start("node-agent", List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-jar", jar.toString(),
        "node-agent", "--cluster", "solo", "--node", node, "--namespace", ns, "--manifest-dir", dir.toString()),
        Map.of("KUBECONFIG", RIG.rig().controlPlane().kubeconfig().toString()), logs, logs.resolve("node-agent.log"))) {
      kube.configMaps().inNamespace(ns).resource(manifest("solo", "one")).create();
      // another cluster's manifest for the same node: not this agent's
      kube.configMaps().inNamespace(ns).resource(new ConfigMapBuilder(manifest("other", "x")).editMetadata()
          .addToLabels(Labels.CLUSTER, "other").endMetadata().build()).create();

      Path file = dir.resolve(ManifestDirectory.fileName(ns, "solo"));
      await("the manifest written").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> {
            assertThat(agent.isAlive()).as(agent.tail(20)).isTrue();
            return Files.isRegularFile(file);
          });
      String mirrorName = "solo-" + node;
      await("its mirror pod running").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
          .until(() -> running(kube.pods().inNamespace(ns).withName(mirrorName).get()));
      String firstUid = kube.pods().inNamespace(ns).withName(mirrorName).get().getMetadata().getUid();

      kube.configMaps().inNamespace(ns).resource(manifest("solo", "two")).update();
      await("the changed manifest runs").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
          .until(() -> {
            Pod pod = kube.pods().inNamespace(ns).withName(mirrorName).get();
            return Files.readString(file).contains("--name=two") && pod != null
                && !pod.getMetadata().getUid().equals(firstUid) && running(pod);
          });

      kube.configMaps().inNamespace(ns).withName("solo").delete();
      await("the manifest and its pod gone").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
          .until(() -> !Files.exists(file) && kube.pods().inNamespace(ns).withName(mirrorName).get() == null);
      assertThat(Files.readString(dir.resolve("kube-scheduler.yaml.disabled"))).isEqualTo("not the agent's");
      assertThat(dir.resolve(ManifestDirectory.fileName(ns, "other"))).doesNotExist();
    } finally {
      Files.deleteIfExists(dir.resolve("kube-scheduler.yaml.disabled"));
      Files.deleteIfExists(dir.resolve(ManifestDirectory.fileName(RIG.namespace(), "solo")));
    }
  }

  private static boolean running(Pod pod) {
    return pod != null && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
  }

  /** A one-member etcd pod for this node, its member named {@code memberName}. */
  private static ConfigMap manifest(String name, String memberName) {
    String pod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          namespace: %s
        spec:
          containers:
          - name: etcd
            image: quay.io/coreos/etcd:v3.6.16
            command: [etcd, --name=%s, --data-dir=/var/lib/etcd/data]
            volumeMounts: [{name: data, mountPath: /var/lib/etcd}]
          volumes:
          - name: data
            emptyDir: {}
        """.formatted(name, RIG.namespace(), memberName);
    return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(RIG.namespace())
        .addToLabels(Labels.STATIC_POD_NODE, RIG.rig().nodeNames().get(0))
        .addToLabels(Labels.CLUSTER, name).endMetadata()
        .addToData(NodeAgent.MANIFEST_KEY, pod).build();
  }
}
