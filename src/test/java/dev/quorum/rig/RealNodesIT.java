package dev.quorum.rig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rig's real nodes do what a user's cluster does: three Ready nodes on containerd, pods in containers under
 * their security context, a claim's data on one node, Services and cluster DNS across nodes.
 */
class RealNodesIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();

  private static Rig rig;
  private static KubernetesClient client;
  private static String ns;

  @BeforeAll
  static void start() {
    rig = RIG.rig();
    client = RIG.client();
    ns = RIG.namespace();
    await().atMost(Duration.ofSeconds(30)).until(() ->
        client.serviceAccounts().inNamespace(ns).withName("default").get() != null);
  }

  @Test
  void threeReadyNodesRunContainerd() {
    List<Node> nodes = client.nodes().list().getItems();
    assertThat(nodes).extracting(n -> n.getMetadata().getName())
        .containsExactlyInAnyOrderElementsOf(rig.nodeNames()).hasSizeGreaterThanOrEqualTo(3);
    assertThat(nodes).allSatisfy(node -> {
      assertThat(RigNodes.isReady(node)).isTrue();
      assertThat(node.getStatus().getNodeInfo().getContainerRuntimeVersion()).startsWith("containerd://");
    });
  }

  @Test
  void anEtcdPodRunsAsItsUserOnAReadOnlyRootWithItsDataOnOneNodeAndAnswersThroughItsServiceByName() throws Exception {
    String etcdImage = rig.images().etcd(rig.tools().defaultEtcdVersion()).reference();
    client.load(new java.io.ByteArrayInputStream("""
        apiVersion: v1
        kind: Service
        metadata: {name: smoke-etcd, namespace: %2$s}
        spec: {selector: {app: smoke-etcd}, ports: [{port: 2379}]}
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: smoke-data, namespace: %2$s}
        spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: smoke-etcd, namespace: %2$s, labels: {app: smoke-etcd}}
        spec:
          securityContext: {runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, runAsNonRoot: true,
                            seccompProfile: {type: RuntimeDefault}}
          containers:
            - name: etcd
              image: %1$s
              imagePullPolicy: IfNotPresent
              command: [/usr/local/bin/etcd, --data-dir=/data/etcd, --listen-client-urls=http://0.0.0.0:2379,
                        --advertise-client-urls=http://smoke-etcd.%2$s.svc:2379]
              securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
                                capabilities: {drop: [ALL]}}
              readinessProbe: {httpGet: {path: /readyz, port: 2379}, periodSeconds: 1}
              volumeMounts: [{name: data, mountPath: /data}]
          volumes: [{name: data, persistentVolumeClaim: {claimName: smoke-data}}]
        """.formatted(etcdImage, ns).getBytes(StandardCharsets.UTF_8))).items()
        .forEach(o -> client.resource(o).serverSideApply());
    client.pods().inNamespace(ns).withName("smoke-etcd").waitUntilReady(60, TimeUnit.SECONDS);
    Pod pod = client.pods().inNamespace(ns).withName("smoke-etcd").get();

    // the claim's volume is a directory on the pod's node, bound there
    PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(ns).withName("smoke-data").get();
    PersistentVolume volume = client.persistentVolumes().withName(claim.getSpec().getVolumeName()).get();
    assertThat(volume.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().get(0).getMatchExpressions()
        .get(0).getValues()).containsExactly(pod.getSpec().getNodeName());
    assertThat(Path.of(volume.getSpec().getLocal().getPath()).resolve("etcd/member")).isDirectory();
    assertThat(volume.getSpec().getLocal().getPath()).contains(pod.getSpec().getNodeName());

    // the container's process runs as the pod's user
    long etcdPid = new PodContainers(client, rig.nodes()).running(ns, "smoke-etcd", "etcd").pid();
    String status = Files.readString(Path.of("/proc", Long.toString(etcdPid), "status"));
    assertThat(status).containsPattern("(?m)^Uid:\\s+65532\\s+65532\\s+65532\\s+65532$");

    // its root file system is read-only: a write to / fails
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (var exec = client.pods().inNamespace(ns).withName("smoke-etcd").inContainer("etcd")
        .writingOutput(out).writingError(err)
        .exec("/usr/local/bin/etcdctl", "snapshot", "save", "/written-to-root.db")) {
      assertThat(exec.exitCode().get(30, TimeUnit.SECONDS)).isNotZero();
    }
    assertThat(out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8))
        .contains("read-only file system");

    // a client inside the cluster reaches it through its Service, by name, from another node's network
    List<String> put = rig.nodes().inClusterCommand(ns, List.of(
        rig.tools().etcdBinary(rig.tools().defaultEtcdVersion(), "etcdctl").toString(),
        "--endpoints=smoke-etcd:2379", "--command-timeout=10s", "put", "greeting", "hello"));
    assertThat(HostCommand.run("write through the Service", put)).contains("OK");
    List<String> get = rig.nodes().inClusterCommand(ns, List.of(
        rig.tools().etcdBinary(rig.tools().defaultEtcdVersion(), "etcdctl").toString(),
        "--endpoints=smoke-etcd." + ns + ".svc.cluster.local:2379", "--command-timeout=10s", "get", "greeting",
        "--print-value-only"));
    assertThat(HostCommand.run("read through the Service", get).strip()).isEqualTo("hello");
  }
}
