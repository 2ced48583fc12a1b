package dev.quorum.restore;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EtcdVersionOrderTest {

  @Test
  void onlyANewerMinorOrMajorCounts() {
    assertThat(EtcdVersionOrder.newerMinor("3.6.16", "3.5.35")).isTrue();
    assertThat(EtcdVersionOrder.newerMinor("4.0.0", "3.9.1")).isTrue();
    assertThat(EtcdVersionOrder.newerMinor("3.5.35", "3.6.16")).isFalse();
    assertThat(EtcdVersionOrder.newerMinor("3.6.16", "3.6.1")).as("patch releases share a data format").isFalse();
    assertThat(EtcdVersionOrder.newerMinor("v3.6.0", "3.6.16")).isFalse();
    assertThat(EtcdVersionOrder.newerMinor("unknown", "3.6.16")).isFalse();
  }
}
