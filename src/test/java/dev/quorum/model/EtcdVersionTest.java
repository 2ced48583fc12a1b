package dev.quorum.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EtcdVersionTest {

  @Test
  void versionsCompareNumerically() {
    assertThat(EtcdVersion.lowest(List.of("3.6.16", "3.5.9", "3.5.21"))).map(Object::toString).contains("3.5.9");
    assertThat(EtcdVersion.lowest(Arrays.asList(null, "3.6.2", "3.6.10", "junk"))).map(Object::toString)
        .contains("3.6.2");
    assertThat(EtcdVersion.lowest(List.of())).isEmpty();
    assertThat(EtcdVersion.parse("v3.6.0-rc.1")).contains(new EtcdVersion(3, 6, 0));
  }

  @Test
  void minorsDecideTheDataFormat() {
    EtcdVersion v3516 = EtcdVersion.parse("3.5.16").orElseThrow();
    EtcdVersion v3616 = EtcdVersion.parse("3.6.16").orElseThrow();
    assertThat(v3616.newerMinorThan(v3516)).isTrue();
    assertThat(EtcdVersion.parse("4.0.0").orElseThrow().newerMinorThan(EtcdVersion.parse("3.9.1").orElseThrow()))
        .isTrue();
    assertThat(v3516.newerMinorThan(v3616)).isFalse();
    assertThat(v3616.newerMinorThan(EtcdVersion.parse("3.6.1").orElseThrow())).as("patch releases share a format")
        .isFalse();
    assertThat(EtcdVersion.parse("unknown")).isEmpty();
    assertThat(v3616.minorsAhead(v3516)).isEqualTo(1);
    assertThat(v3516.minorsAhead(v3616)).isEqualTo(-1);
    assertThat(v3616.line()).isEqualTo("3.6");
  }
}
