package dev.quorum.specs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.ClusterTls;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.tls.ClusterCertificates;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TlsMemberTest {

  final EtcdCluster cluster = tlsCluster();
  final EtcdClusterModel model = TestClusters.model(cluster);
  final Member member = model.members().get(0);

  static EtcdCluster tlsCluster() {
    EtcdCluster cluster = TestClusters.cluster("demo", 3);
    cluster.getSpec().setTls(new ClusterTls());
    return cluster;
  }

  @Test
  void aTlsMemberSpeaksHttpsAndRequiresClientCertificatesFromPeersAndClients() {
    List<String> args = EtcdArgs.build(model, member);

    assertThat(member.peerUrl()).startsWith("https://demo-0.demo.default.svc.cluster.local:");
    assertThat(args).contains("--listen-client-urls=https://0.0.0.0:2379", "--listen-peer-urls=https://0.0.0.0:2380",
        "--listen-metrics-urls=http://0.0.0.0:2381", "--client-cert-auth=true", "--peer-client-cert-auth=true",
        "--trusted-ca-file=/etc/etcd/tls/ca.crt", "--cert-file=/etc/etcd/tls/tls.crt",
        "--key-file=/etc/etcd/tls/tls.key", "--peer-trusted-ca-file=/etc/etcd/tls/ca.crt",
        "--peer-cert-file=/etc/etcd/tls/tls.crt", "--peer-key-file=/etc/etcd/tls/tls.key");
    assertThat(args).filteredOn(a -> a.startsWith("--initial-cluster=")).singleElement().asString()
        .contains("demo-1=https://demo-1.demo.default.svc.cluster.local:2380");
    assertThat(EtcdArgs.build(TestClusters.model(TestClusters.cluster("plain", 3)),
        TestClusters.member(TestClusters.model(TestClusters.cluster("plain", 3)), 0)))
        .noneMatch(a -> a.contains("cert") || a.startsWith("--listen-client-urls=https"));
  }

  @Test
  void theMemberMountsItsCertificatesReadOnlyForItsGroupOnly() {
    Pod pod = MemberPodBuilder.build(model, member);
    Container etcd = pod.getSpec().getContainers().get(0);

    assertThat(pod.getSpec().getVolumes()).filteredOn(v -> v.getSecret() != null).singleElement().satisfies(v -> {
      assertThat(v.getSecret().getSecretName()).isEqualTo("demo-tls");
      assertThat(v.getSecret().getDefaultMode()).isEqualTo(0440);
    });
    assertThat(etcd.getVolumeMounts()).filteredOn(m -> m.getMountPath().equals("/etc/etcd/tls")).singleElement()
        .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
    assertThat(model.tls().tlsDnsNames()).contains("*.demo.default.svc.cluster.local", "*.demo.default.svc",
        "demo-client.default.svc.cluster.local", "demo-client", "localhost");
  }

  @Test
  void theSecretsAreTheCasTheMembersAndATlsSecretForApplications() {
    ClusterCertificates.Desired desired = ClusterCertificates.desired(model.name(),
        new ClusterCertificates.Names(model.tls().tlsDnsNames(), model.tls().tlsIpAddresses()), Optional.empty(), Optional.empty(),
        Optional.empty(), true, Instant.parse("2026-11-25T00:00:00Z"));
    List<Secret> secrets = TlsSecretsBuilder.build(model, desired);

    assertThat(secrets).extracting(s -> s.getMetadata().getName() + "/" + s.getType())
        .containsExactly("demo-ca/Opaque", "demo-tls/Opaque", "demo-client-tls/kubernetes.io/tls");
    assertThat(secrets).allSatisfy(s -> assertThat(s.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getName()).isEqualTo("demo")));
    assertThat(secrets.get(1).getData()).doesNotContainKey("ca.key");
    assertThat(secrets.get(2).getData()).doesNotContainKey("ca.key");
  }
}
