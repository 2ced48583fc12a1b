package dev.quorum.operation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy fiveSecondsFiveTimes = new RetryPolicy(5, Duration.ofSeconds(5));

  @Test
  void theDelayDoublesAfterEachFailedAttemptAndLevelsOff() {
    assertThat(fiveSecondsFiveTimes.delayAfter(1)).isEqualTo(Duration.ofSeconds(5));
    assertThat(fiveSecondsFiveTimes.delayAfter(2)).isEqualTo(Duration.ofSeconds(10));
    assertThat(fiveSecondsFiveTimes.delayAfter(4)).isEqualTo(Duration.ofSeconds(40));
    assertThat(fiveSecondsFiveTimes.delayAfter(7)).isEqualTo(Duration.ofSeconds(320));
    assertThat(fiveSecondsFiveTimes.delayAfter(50)).isEqualTo(Duration.ofSeconds(320));
    assertThat(new RetryPolicy(5, Duration.ofMillis(500)).delayAfter(3)).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void noAttemptMadeYetWaitsTheFirstDelay() {
    assertThat(fiveSecondsFiveTimes.delayAfter(0)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void attemptsStopAtTheMaximum() {
    assertThat(fiveSecondsFiveTimes.retries(4)).isTrue();
    assertThat(fiveSecondsFiveTimes.retries(5)).isFalse();
  }

  @Test
  void thereIsAlwaysAtLeastOneAttempt() {
    RetryPolicy none = new RetryPolicy(0, Duration.ofSeconds(5));
    assertThat(none.maxAttempts()).isEqualTo(1);
    assertThat(none.retries(0)).isTrue();
    assertThat(none.retries(1)).isFalse();
  }
}
