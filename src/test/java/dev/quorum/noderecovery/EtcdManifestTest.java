package dev.quorum.noderecovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.render.RenderCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EtcdManifestTest {

  /** As kubeadm writes etcd.yaml: the flags in the command, TLS on. */
  static final String KUBEADM = """
      apiVersion: v1
      kind: Pod
      metadata:
        name: etcd
        namespace: kube-system
        annotations:
          kubeadm.kubernetes.io/etcd.advertise-client-urls: https://10.0.0.11:2379
      spec:
        hostNetwork: true
        containers:
        - name: etcd
          image: registry.k8s.io/etcd:3.6.5-0
          command:
          - etcd
          - --advertise-client-urls=https://10.0.0.11:2379
          - --cert-file=/etc/kubernetes/pki/etcd/server.crt
          - --client-cert-auth=true
          - --data-dir=/var/lib/etcd
          - --initial-advertise-peer-urls=https://10.0.0.11:2380
          - --initial-cluster=cp-1=https://10.0.0.11:2380,cp-2=https://10.0.0.12:2380,cp-3=https://10.0.0.13:2380
          - --key-file=/etc/kubernetes/pki/etcd/server.key
          - --listen-client-urls=https://127.0.0.1:2379,https://10.0.0.11:2379
          - --name=cp-1
          - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
          volumeMounts:
          - mountPath: /var/lib/etcd
            name: etcd-data
        volumes:
        - hostPath:
            path: /var/lib/etcd
            type: DirectoryOrCreate
          name: etcd-data
      """;

  @Test
  void kubeadmsManifestIsReadForTheMembersNameDataUrlsAndClientFiles() throws Exception {
    EtcdManifest manifest = EtcdManifest.parse(KUBEADM);

    assertThat(manifest.name()).isEqualTo("cp-1");
    assertThat(manifest.dataDir()).isEqualTo("/var/lib/etcd");
    assertThat(manifest.clientUrl()).isEqualTo("https://10.0.0.11:2379");
    assertThat(manifest.peerUrl()).isEqualTo("https://10.0.0.11:2380");
    assertThat(manifest.clientFiles()).contains(new EtcdManifest.ClientFiles("/etc/kubernetes/pki/etcd/ca.crt",
        "/etc/kubernetes/pki/etcd/server.crt", "/etc/kubernetes/pki/etcd/server.key"));
    assertThat(manifest.forcingNewCluster()).isFalse();
  }

  @Test
  void forcingOnceThenNotForcingChangesOnlyThatFlagAndKeepsTheRestOfTheFile() throws Exception {
    EtcdManifest manifest = EtcdManifest.parse(KUBEADM);

    EtcdManifest forced = EtcdManifest.parse(manifest.forcingNewClusterOnce().yaml());
    assertThat(forced.forcingNewCluster()).isTrue();
    assertThat(forced.yaml()).contains("--force-new-cluster=true", "--name=cp-1", "hostNetwork: true",
        "path: \"/var/lib/etcd\"", "kubeadm.kubernetes.io/etcd.advertise-client-urls").doesNotStartWith("---");

    EtcdManifest settled = EtcdManifest.parse(forced.notForcing().yaml());
    assertThat(settled.forcingNewCluster()).isFalse();
    assertThat(settled.yaml()).doesNotContain("force-new-cluster").isEqualTo(manifest.notForcing().yaml());
  }

  @Test
  void aRejoiningMemberStartsIntoTheExistingClusterItWasAddedTo() throws Exception {
    EtcdManifest joining = EtcdManifest.parse(EtcdManifest.parse(KUBEADM)
        .joining("cp-2=https://10.0.0.12:2380,cp-1=https://10.0.0.11:2380").yaml());

    assertThat(joining.flag("initial-cluster")).contains("cp-2=https://10.0.0.12:2380,cp-1=https://10.0.0.11:2380");
    assertThat(joining.flag("initial-cluster-state")).contains("existing");
  }

  @Test
  void whatQuorumRenderWritesIsReadTooWithFlagsGivenAsSeparateWords() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(RenderCommand.run(new String[] {"render", "--peers", "a=10.1.0.1,b=10.1.0.2,c=10.1.0.3"},
        new PrintStream(out, true, StandardCharsets.UTF_8), System.err)).isZero();
    String first = out.toString(StandardCharsets.UTF_8).split("---\n")[1];
    assertThat(EtcdManifest.parse(first).name()).isEqualTo("a");
    assertThat(EtcdManifest.parse(first).clientFiles()).as("plain http").isEmpty();

    String separate = KUBEADM.replace("- --name=cp-1", "- --name\n    - cp-9");
    assertThat(EtcdManifest.parse(separate).name()).isEqualTo("cp-9");
  }

  @Test
  void aFileThatIsNoEtcdManifestIsRefusedSayingWhy() {
    assertThatThrownBy(() -> EtcdManifest.parse("kind: Pod\nspec:\n  containers:\n  - name: x\n    command: [sleep]\n"))
        .hasMessageContaining("no container runs etcd");
    assertThatThrownBy(() -> EtcdManifest.parse(KUBEADM.replace("- --data-dir=/var/lib/etcd\n", "")))
        .hasMessageContaining("--data-dir");
    assertThatThrownBy(() -> EtcdManifest.parse(": : not yaml ["))
        .hasMessageContaining("not a pod manifest");
  }
}
