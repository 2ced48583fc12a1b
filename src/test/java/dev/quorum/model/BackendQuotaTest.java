package dev.quorum.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.v1alpha1.ClusterMode;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdTuning;
import org.junit.jupiter.api.Test;

class BackendQuotaTest {

  static final long MIB = 1024L * 1024;

  @Test
  void aClaimsQuotaIsHalfOfWhatItsVolumeHoldsBeyondTheWriteAheadLog() {
    assertThat(BackendQuota.flagValue(spec("1Gi"))).contains(256 * MIB);
    assertThat(BackendQuota.flagValue(spec("10Gi"))).contains((10240 - 512) / 2 * MIB);
    assertThat(BackendQuota.flagValue(spec("4G"))).contains((4_000_000_000L - 512 * MIB) / 2);
  }

  @Test
  void aSmallVolumeKeepsHalfForTheLogAndALargeOneStopsAtEtcdsPracticalMaximum() {
    assertThat(BackendQuota.flagValue(spec("128Mi"))).contains(32 * MIB);
    assertThat(BackendQuota.flagValue(spec("100Gi"))).contains(BackendQuota.MAX_BYTES);
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

    assertThat(BackendQuota.flagValue(set)).contains(3000 * MIB);
    assertThat(BackendQuota.flagValue(ephemeral)).isEmpty();
    assertThat(BackendQuota.bytes(ephemeral)).isEqualTo(BackendQuota.ETCD_DEFAULT_BYTES);
    assertThat(BackendQuota.flagValue(staticPods)).isEmpty();
  }

  private static EtcdClusterSpec spec(String size) {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.getStorage().setSize(size);
    return spec;
  }
}
