package dev.quorum.objectstore;

import static dev.quorum.objectstore.PartSizing.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PartSizingTest {

  private static final long GIB = 1024 * MIB;

  @Test
  void theDefaultIsEightMibAboveTheS3Minimum() {
    assertThat(PartSizing.DEFAULT_PART_SIZE).isEqualTo(8 * MIB).isGreaterThanOrEqualTo(PartSizing.MIN_PART_SIZE);
    assertThat(PartSizing.partSize(PartSizing.DEFAULT_PART_SIZE, OptionalLong.empty())).isEqualTo(8 * MIB);
  }

  @Test
  void withoutAnExpectedSizeTheConfiguredSizeIsKept() {
    assertThat(PartSizing.partSize(16 * MIB, OptionalLong.empty())).isEqualTo(16 * MIB);
    assertThat(PartSizing.capacity(8 * MIB)).isEqualTo(80_000 * MIB);
  }

  @Test
  void anExpectedSizeThatFitsTenThousandPartsKeepsTheConfiguredSize() {
    assertThat(PartSizing.partSize(8 * MIB, OptionalLong.of(0))).isEqualTo(8 * MIB);
    assertThat(PartSizing.partSize(8 * MIB, OptionalLong.of(20 * MIB))).isEqualTo(8 * MIB);
    assertThat(PartSizing.partSize(8 * MIB, OptionalLong.of(8 * GIB))).isEqualTo(8 * MIB);
    // 60 GiB plus a quarter is 75 GiB: still within 10,000 parts of 8 MiB (78.1 GiB)
    assertThat(PartSizing.partSize(8 * MIB, OptionalLong.of(60 * GIB))).isEqualTo(8 * MIB);
  }

  @Test
  void thePartSizeGrowsInWholeMibOnlyWhenTenThousandPartsWouldNotHoldTheExpectedSize() {
    // 100 GiB plus a quarter in 10,000 parts: 12.8 MiB, rounded up to 13 MiB
    long grown = PartSizing.partSize(8 * MIB, OptionalLong.of(100 * GIB));
    assertThat(grown).isEqualTo(13 * MIB);
    assertThat(PartSizing.capacity(grown)).isGreaterThanOrEqualTo(125 * GIB);
    assertThat(grown % MIB).isZero();
  }

  @Test
  void theLargestObjectNeedsTheLargestPartAndNoMore() {
    long largest = PartSizing.partSize(8 * MIB, OptionalLong.of(PartSizing.MAX_OBJECT_SIZE));
    assertThat(largest).isEqualTo(PartSizing.MAX_PART_SIZE).isEqualTo(525 * MIB);
    assertThat(largest * PartSizing.MAX_PARTS).isGreaterThanOrEqualTo(PartSizing.MAX_OBJECT_SIZE);
    assertThat(largest).isLessThan(Integer.MAX_VALUE);
  }

  @Test
  void sizesOutsideS3sLimitsAreRefused() {
    assertThatThrownBy(() -> PartSizing.partSize(4 * MIB, OptionalLong.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 MiB minimum");
    assertThatThrownBy(() -> PartSizing.partSize(PartSizing.MAX_PART_SIZE + MIB, OptionalLong.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PartSizing.partSize(8 * MIB, OptionalLong.of(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PartSizing.partSize(8 * MIB, OptionalLong.of(PartSizing.MAX_OBJECT_SIZE + 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
