package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.v1alpha1.EtcdCluster;
import org.junit.jupiter.api.Test;

class EtcdClusterNamesTest {

  private final EtcdCluster cluster = TestClusters.cluster("demo", "default", TestClusters.UID, 3);

  @Test
  void namesChildrenAfterTheCluster() {
    assertThat(EtcdClusterNames.peerService(cluster)).isEqualTo("demo");
    assertThat(EtcdClusterNames.clientService(cluster)).isEqualTo("demo-client");
    assertThat(EtcdClusterNames.statefulSet(cluster)).isEqualTo("demo");
    assertThat(EtcdClusterNames.podDisruptionBudget(cluster)).isEqualTo("demo");
    assertThat(EtcdClusterNames.member(cluster, 2)).isEqualTo("demo-2");
  }

  @Test
  void addressesMembersAndClientsByDns() {
    assertThat(EtcdClusterNames.memberHost(cluster, "demo-1", "cluster.local"))
        .isEqualTo("demo-1.demo.default.svc.cluster.local");
    assertThat(EtcdClusterNames.clientEndpoint(cluster, "cluster.local"))
        .isEqualTo("demo-client.default.svc.cluster.local:2379");
  }

  @Test
  void selectorStringMatchesTheSelectorLabels() {
    assertThat(EtcdClusterNames.selector(cluster))
        .isEqualTo("app.kubernetes.io/name=etcd,app.kubernetes.io/instance=demo,etcd.quorum.dev/cluster=demo");
    assertThat(EtcdClusterNames.labels(cluster)).containsEntry("app.kubernetes.io/managed-by", "quorum");
  }
}
