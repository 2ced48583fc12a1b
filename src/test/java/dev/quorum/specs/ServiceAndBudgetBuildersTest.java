package dev.quorum.specs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.PvcRetentionPolicy;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceAndBudgetBuildersTest {

  private final EtcdCluster cluster = TestClusters.cluster("demo", 3);

  @Test
  void peerServiceIsHeadlessAndPublishesMembersBeforeTheyAreReady() {
    Service peer = PeerServiceBuilder.build(model());

    assertThat(peer.getMetadata().getName()).isEqualTo("demo");
    assertThat(peer.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(peer.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(peer.getSpec().getSelector()).isEqualTo(model().selectorLabels());
    assertThat(peer.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort())
        .containsExactly("peer:2380", "client:2379");
  }

  @Test
  void clientServiceIsAClusterIpOnTheClientPort() {
    Service client = ClientServiceBuilder.build(model());

    assertThat(client.getMetadata().getName()).isEqualTo("demo-client");
    assertThat(client.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(client.getSpec().getPublishNotReadyAddresses()).isNull();
    java.util.Map<String, String> voters = new java.util.HashMap<>(model().selectorLabels());
    voters.put(dev.quorum.model.Labels.VOTER, "true");
    assertThat(client.getSpec().getSelector()).as("voting members only").isEqualTo(voters);
    assertThat(client.getSpec().getPorts()).singleElement()
        .satisfies(p -> assertThat(p.getName() + ":" + p.getPort()).isEqualTo("client:2379"));
  }

  @ParameterizedTest
  @CsvSource({"3,2", "5,4", "7,6", "9,8"})
  void budgetLetsOneMemberAtATimeBeDisrupted(int size, int minAvailable) {
    EtcdClusterModel model = TestClusters.model(TestClusters.cluster("demo", size));

    PodDisruptionBudget pdb = PodDisruptionBudgetBuilder.build(model);

    assertThat(pdb.getApiVersion()).isEqualTo("policy/v1");
    assertThat(pdb.getMetadata().getName()).isEqualTo("demo");
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(minAvailable);
    assertThat(pdb.getSpec().getMaxUnavailable()).isNull();
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(model.selectorLabels());
  }

  @Test
  void whileTheSizeShrinksTheBudgetCountsTheMembersStillOnRecord() {
    EtcdClusterModel five = TestClusters.model(TestClusters.cluster("demo", 5));
    EtcdClusterModel shrinking = TestClusters.model(TestClusters.cluster("demo", 3), TestClusters.foundingRecords(five));

    assertThat(PodDisruptionBudgetBuilder.build(shrinking).getSpec().getMinAvailable().getIntVal()).isEqualTo(4);
  }

  @Test
  void everyChildIsLabelledAndControlledByTheCluster() {
    cluster.getSpec().getStorage().setPvcRetentionPolicy(PvcRetentionPolicy.Delete);

    for (HasMetadata child : children(model())) {
      assertThat(child.getMetadata().getNamespace()).as(child.getKind()).isEqualTo("default");
      assertThat(child.getMetadata().getLabels()).as(child.getKind()).containsAllEntriesOf(model().labels());
      assertThat(child.getMetadata().getOwnerReferences()).as(child.getKind()).singleElement().satisfies(ref -> {
        assertThat(ref.getController()).isTrue();
        assertThat(ref.getBlockOwnerDeletion()).isTrue();
        assertThat(ref.getUid()).isEqualTo(TestClusters.UID);
      });
    }
    assertThat(children(model())).extracting(HasMetadata::getKind).containsExactly(
        "Service", "Service", "ConfigMap", "PodDisruptionBudget",
        "PersistentVolumeClaim", "PersistentVolumeClaim", "PersistentVolumeClaim", "Pod", "Pod", "Pod");
  }

  @Test
  void desiredStateIsDeterministic() {
    assertThat(children(model())).isEqualTo(children(model()));
  }

  /** Everything the operator creates for a cluster. */
  private static List<HasMetadata> children(EtcdClusterModel model) {
    List<HasMetadata> children = new ArrayList<>(List.of(PeerServiceBuilder.build(model), ClientServiceBuilder.build(model),
        MembersConfigMapBuilder.build(model), PodDisruptionBudgetBuilder.build(model)));
    for (Member member : model.members()) {
      MemberClaimBuilder.build(model, member).ifPresent(children::add);
    }
    for (Member member : model.members()) {
      children.add(MemberPodBuilder.build(model, member));
    }
    return children;
  }

  private EtcdClusterModel model() {
    return TestClusters.model(cluster);
  }
}
