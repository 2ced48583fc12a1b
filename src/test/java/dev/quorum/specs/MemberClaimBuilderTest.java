package dev.quorum.specs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.PvcRetentionPolicy;
import dev.quorum.model.EtcdClusterModel;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MemberClaimBuilderTest {

  private final EtcdCluster cluster = TestClusters.cluster("demo", 3);

  @Test
  void eachMemberGetsAClaimNamedAsAStatefulSetWouldNameIt() {
    PersistentVolumeClaim claim = build(1).orElseThrow();

    assertThat(claim.getMetadata().getName()).isEqualTo("data-demo-1");
    assertThat(claim.getMetadata().getNamespace()).isEqualTo("default");
    assertThat(claim.getMetadata().getLabels()).isEqualTo(model().memberLabels(TestClusters.member(model(), 1)))
        .containsEntry("etcd.quorum.dev/member", "demo-1");
    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("1Gi"));
    assertThat(claim.getSpec().getStorageClassName()).as("the cluster's default class").isNull();
  }

  @Test
  void sizeAndClassFollowTheSpec() {
    cluster.getSpec().getStorage().setSize("8Gi");
    cluster.getSpec().getStorage().setStorageClassName("fast");

    PersistentVolumeClaim claim = build(0).orElseThrow();

    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
    assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("8Gi"));
  }

  @Test
  void claimsAreRetainedByDefaultSoTheyHaveNoOwner() {
    assertThat(cluster.getSpec().getStorage().getPvcRetentionPolicy()).isEqualTo(PvcRetentionPolicy.Retain);

    assertThat(build(0).orElseThrow().getMetadata().getOwnerReferences()).isNullOrEmpty();
  }

  @Test
  void claimsToDeleteWithTheClusterAreOwnedByIt() {
    cluster.getSpec().getStorage().setPvcRetentionPolicy(PvcRetentionPolicy.Delete);

    assertThat(build(0).orElseThrow().getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
      assertThat(ref.getKind()).isEqualTo("EtcdCluster");
      assertThat(ref.getUid()).isEqualTo(TestClusters.UID);
      assertThat(ref.getController()).isTrue();
    });
  }

  @Test
  void ephemeralStorageNeedsNoClaim() {
    cluster.getSpec().getStorage().setEphemeral(true);

    assertThat(build(0)).isEmpty();
  }

  @Test
  void theMembersPodMountsItsClaim() {
    EtcdClusterModel model = model();

    assertThat(MemberPodBuilder.build(model, TestClusters.member(model, 2)).getSpec().getVolumes())
        .singleElement()
        .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName())
            .isEqualTo(build(2).orElseThrow().getMetadata().getName()));
  }

  private EtcdClusterModel model() {
    return TestClusters.model(cluster);
  }

  private Optional<PersistentVolumeClaim> build(int ordinal) {
    EtcdClusterModel model = model();
    return MemberClaimBuilder.build(model, TestClusters.member(model, ordinal));
  }
}
