package dev.quorum.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuorumTest {

  @ParameterizedTest
  @CsvSource({"1,1", "3,2", "4,3", "5,3", "7,4", "9,5"})
  void quorumIsAMajority(int size, int quorum) {
    assertThat(Quorum.quorum(size)).isEqualTo(quorum);
  }

  @Test
  void faultToleranceCountsFailuresLeftBeforeQuorumIsLost() {
    assertThat(Quorum.faultTolerance(3, 3)).isEqualTo(1);
    assertThat(Quorum.faultTolerance(2, 3)).isZero();
    assertThat(Quorum.faultTolerance(1, 3)).isZero();
    assertThat(Quorum.faultTolerance(5, 5)).isEqualTo(2);
    assertThat(Quorum.faultTolerance(0, 5)).isZero();
  }
}
