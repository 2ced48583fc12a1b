package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.v1alpha1.EtcdCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ServiceAndBudgetBuildersTest {

  private final EtcdCluster cluster = TestClusters.cluster("demo", 3);

  @Test
  void peerServiceIsHeadlessAndPublishesMembersBeforeTheyAreReady() {
    Service peer = PeerServiceBuilder.build(cluster);

    assertThat(peer.getMetadata().getName()).isEqualTo("demo");
    assertThat(peer.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(peer.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(peer.getSpec().getSelector()).isEqualTo(EtcdClusterNames.selectorLabels(cluster));
    assertThat(peer.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort())
        .containsExactly("peer:2380", "client:2379");
  }

  @Test
  void clientServiceIsAClusterIpOnTheClientPort() {
    Service client = ClientServiceBuilder.build(cluster);

    assertThat(client.getMetadata().getName()).isEqualTo("demo-client");
    assertThat(client.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(client.getSpec().getPublishNotReadyAddresses()).isNull();
    assertThat(client.getSpec().getPorts()).singleElement()
        .satisfies(p -> assertThat(p.getName() + ":" + p.getPort()).isEqualTo("client:2379"));
  }

  @ParameterizedTest
  @CsvSource({"3,2", "5,3", "7,4", "9,5"})
  void budgetKeepsAQuorumAvailable(int size, int minAvailable) {
    PodDisruptionBudget pdb = PodDisruptionBudgetBuilder.build(TestClusters.cluster("demo", size));

    assertThat(pdb.getApiVersion()).isEqualTo("policy/v1");
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(minAvailable);
    assertThat(pdb.getSpec().getMaxUnavailable()).isNull();
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(EtcdClusterNames.selectorLabels(cluster));
  }

  @Test
  void everyChildIsLabelledAndControlledByTheCluster() {
    for (HasMetadata child : DesiredChildren.of(cluster, OperatorDefaults.STANDARD)) {
      assertThat(child.getMetadata().getNamespace()).isEqualTo("default");
      assertThat(child.getMetadata().getLabels()).isEqualTo(EtcdClusterNames.labels(cluster));
      assertThat(child.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
        assertThat(ref.getController()).isTrue();
        assertThat(ref.getBlockOwnerDeletion()).isTrue();
        assertThat(ref.getUid()).isEqualTo(TestClusters.UID);
      });
    }
    assertThat(DesiredChildren.of(cluster, OperatorDefaults.STANDARD)).extracting(HasMetadata::getKind)
        .containsExactly("Service", "Service", "StatefulSet", "PodDisruptionBudget");
  }

  @Test
  void desiredStateIsDeterministic() {
    assertThat(DesiredChildren.of(cluster, OperatorDefaults.STANDARD))
        .isEqualTo(DesiredChildren.of(cluster, OperatorDefaults.STANDARD));
  }
}
