package dev.quorum.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VolumeGrowthTest {

  static final long GIB = 1024L * 1024 * 1024;

  @Test
  void claimsSmallerThanTheSpecAskForItWhereTheirClassCanExpand() {
    List<PersistentVolumeClaim> claims = List.of(claim("data-a-0", "1Gi", "1Gi", "fast"),
        claim("data-a-1", "2Gi", "2Gi", "fast"), claim("data-a-2", "1Gi", "1Gi", "fast"));

    VolumeGrowth growth = VolumeGrowth.plan(2 * GIB, claims, Map.of());

    assertThat(growth.expand()).extracting(c -> c.getMetadata().getName()).containsExactly("data-a-0", "data-a-2");
    assertThat(growth.unsupported()).isEmpty();
    assertThat(growth.volumeBytes()).as("the smallest volume, until every one has grown").contains(GIB);
  }

  @Test
  void aClassThatCannotExpandChangesNothingAndSaysWhich() {
    List<PersistentVolumeClaim> claims = List.of(claim("data-a-0", "1Gi", "1Gi", "local"),
        claim("data-a-1", "1Gi", "1Gi", "local"));

    VolumeGrowth growth = VolumeGrowth.plan(2 * GIB, claims, Map.of("local", VolumeGrowth.NO_EXPANSION));

    assertThat(growth.expand()).isEmpty();
    assertThat(growth.unsupported()).get().asString().contains("storage.size grew to 2Gi",
        "data-a-0, data-a-1 (StorageClass local does not allow volume expansion (allowVolumeExpansion))");
    assertThat(growth.volumeBytes()).contains(GIB);
  }

  @Test
  void theVolumesSizeIsTheSmallestBoundCapacityNeverAboveTheSpec() {
    List<PersistentVolumeClaim> claims = List.of(claim("data-a-0", "1Gi", "2Gi", "fast"),
        claim("data-a-1", "1Gi", null, "fast"));

    assertThat(VolumeGrowth.plan(GIB, claims, Map.of()).volumeBytes()).as("a provisioner rounding up").contains(GIB);
    assertThat(VolumeGrowth.plan(GIB, List.of(claim("data-a-1", "1Gi", null, "fast")), Map.of()).volumeBytes())
        .as("nothing bound yet").isEmpty();
    assertThat(VolumeGrowth.plan(GIB, claims, Map.of()).expand()).isEmpty();
  }

  private static PersistentVolumeClaim claim(String name, String requested, String capacity, String storageClass) {
    PersistentVolumeClaimBuilder claim = new PersistentVolumeClaimBuilder().withNewMetadata().withName(name)
        .endMetadata().withNewSpec().withStorageClassName(storageClass).withNewResources()
        .addToRequests("storage", new Quantity(requested)).endResources().endSpec();
    if (capacity != null) {
      claim.withNewStatus().withPhase("Bound").addToCapacity("storage", new Quantity(capacity)).endStatus();
    }
    return claim.build();
  }
}
