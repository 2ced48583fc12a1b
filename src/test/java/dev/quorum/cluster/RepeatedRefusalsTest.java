package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RepeatedRefusalsTest {

  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
  private static final String PROMOTE = "promoting learner demo-0 to a voting member once it has caught up";
  private static final String LEARNER = "etcdserver: rpc not supported for learner";

  private final RepeatedRefusals refusals = new RepeatedRefusals();

  @Test
  void aRefusalIsReportedOnceItRepeatedEnoughTimesOverEnoughTime() {
    int firstReportable = -1;
    int reports = 0;
    for (int pass = 0; pass < 100; pass++) {
      Instant now = T0.plusMillis(500L * pass);
      boolean reported = refusals.refused("ns/a", PROMOTE, LEARNER, now).isPresent();
      boolean lastedLongEnough = pass + 1 >= RepeatedRefusals.REPORT_AFTER_TIMES
          && !T0.plus(RepeatedRefusals.REPORT_AFTER).isAfter(now);
      assertThat(refusals.current("ns/a", now).isPresent()).as("pass %d", pass).isEqualTo(lastedLongEnough);
      if (lastedLongEnough && firstReportable < 0) {
        firstReportable = pass;
      }
      if (reported) {
        reports++;
        assertThat(pass).as("reported (logged, an event) on the first pass it qualifies").isEqualTo(firstReportable);
      }
    }
    assertThat(reports).isEqualTo(1);
    assertThat(refusals.current("ns/a", T0.plusSeconds(60)).get().message())
        .isEqualTo(PROMOTE + " has been refused the same way since " + T0 + ": " + LEARNER);
  }

  @Test
  void anotherRefusalAnotherStepOrSuccessStartsTheCountAgain() {
    Instant later = T0.plus(RepeatedRefusals.REPORT_AFTER).plusSeconds(1);
    for (int i = 0; i < 10; i++) {
      refusals.refused("ns/a", PROMOTE, LEARNER, T0);
    }
    assertThat(refusals.current("ns/a", later)).isPresent();

    refusals.refused("ns/a", PROMOTE, "etcdserver: unhealthy cluster", later);
    assertThat(refusals.current("ns/a", later.plus(Duration.ofMinutes(5)))).as("one refusal in new words").isEmpty();

    for (int i = 0; i < 10; i++) {
      refusals.refused("ns/a", PROMOTE, LEARNER, T0);
    }
    refusals.cleared("ns/a");
    assertThat(refusals.current("ns/a", later)).isEmpty();
    assertThat(refusals.current("ns/b", later)).as("clusters are counted apart").isEmpty();
  }
}
