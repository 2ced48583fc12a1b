package dev.quorum.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.v1alpha1.ClusterMode;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdTuning;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendQuotaTest {

  static final long MIB = 1024L * 1024;

  @Test
  void aClaimsQuotaIsHalfOfWhatItsVolumeHoldsBeyondTheWriteAheadLog() {
    assertThat(BackendQuota.flagValue(cluster("1Gi"))).contains(256 * MIB);
    assertThat(BackendQuota.flagValue(cluster("10Gi"))).contains((10240 - 512) / 2 * MIB);
    assertThat(BackendQuota.flagValue(cluster("4G"))).contains((4_000_000_000L - 512 * MIB) / 2);
  }

  @Test
  void aSmallVolumeKeepsHalfForTheLogAndALargeOneStopsAtEtcdsPracticalMaximum() {
    assertThat(BackendQuota.flagValue(cluster("128Mi"))).contains(32 * MIB);
    assertThat(BackendQuota.flagValue(cluster("100Gi"))).contains(BackendQuota.MAX_BYTES);
  }

  @Test
  void theSpecsOwnQuotaWinsAndWithoutAClaimEtcdsDefaultStays() {
    EtcdClusterSpec set = spec("1Gi");
    set.setEtcd(new EtcdTuning());
    set.getEtcd().setQuotaBackendBytes(3000 * MIB);
    EtcdClusterSpec ephemeral = spec("1Gi");
    ephemeral.getStorage().setEphemeral(true);
    EtcdClusterSpec staticPods = spec("1Gi");
    staticPods.setMode(ClusterMode.StaticPod);

    assertThat(BackendQuota.flagValue(cluster(set))).contains(3000 * MIB);
    assertThat(BackendQuota.flagValue(cluster(ephemeral))).isEmpty();
    assertThat(BackendQuota.bytes(cluster(ephemeral))).isEqualTo(BackendQuota.ETCD_DEFAULT_BYTES);
    assertThat(BackendQuota.flagValue(cluster(staticPods))).isEmpty();
  }

  @Test
  void grownInTheSpecTheQuotaFollowsOnlyOnceEveryVolumeHasGrown() {
    EtcdCluster grown = cluster(spec("10Gi"));
    grown.getMetadata().setAnnotations(Map.of(Annotations.VOLUME_SIZE, String.valueOf(1024 * MIB)));

    assertThat(BackendQuota.flagValue(grown)).as("the volumes are still 1Gi").contains(256 * MIB);
    grown.getMetadata().setAnnotations(Map.of(Annotations.VOLUME_SIZE, String.valueOf(10240 * MIB)));
    assertThat(BackendQuota.flagValue(grown)).contains((10240 - 512) / 2 * MIB);
  }

  private static EtcdCluster cluster(String size) {
    return cluster(spec(size));
  }

  private static EtcdCluster cluster(EtcdClusterSpec spec) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName("c").withNamespace("ns").build());
    cluster.setSpec(spec);
    return cluster;
  }

  private static EtcdClusterSpec spec(String size) {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.getStorage().setSize(size);
    return spec;
  }
}
