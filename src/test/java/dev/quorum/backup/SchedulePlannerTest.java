package dev.quorum.backup;

import dev.quorum.model.CronSchedule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.api.v1alpha1.ConcurrencyPolicy;
import dev.quorum.backup.SchedulePlanner.Action;
import dev.quorum.backup.SchedulePlanner.Plan;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulePlannerTest {

  static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

  static CronSchedule cron(String expression, String zone) throws Exception {
    return CronSchedule.parse(expression, zone);
  }

  static Plan plan(String cron, ConcurrencyPolicy policy, Long deadline, String now, String last,
      List<String> active) throws Exception {
    return SchedulePlanner.plan(new SchedulePlanner.Input(cron(cron, "UTC"), false, policy, deadline,
        Instant.parse(now), last == null ? null : Instant.parse(last), null, CREATED, active));
  }

  @Test
  void nothingIsDueBeforeTheFirstTime() throws Exception {
    Plan plan = plan("@hourly", ConcurrencyPolicy.Forbid, null, "2026-01-01T00:30:00Z", null, List.of());
    assertThat(plan.action()).isEqualTo(Action.NONE);
    assertThat(plan.nextScheduleTime()).isEqualTo(Instant.parse("2026-01-01T01:00:00Z"));
    assertThat(plan.wakeAfter()).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void aDueTimeIsCreatedOnceThenTheNextIsAwaited() throws Exception {
    Plan plan = plan("@hourly", ConcurrencyPolicy.Forbid, null, "2026-01-01T01:00:05Z", null, List.of());
    assertThat(plan.action()).isEqualTo(Action.CREATE);
    assertThat(plan.scheduledTime()).isEqualTo(Instant.parse("2026-01-01T01:00:00Z"));
    assertThat(plan.nextScheduleTime()).isEqualTo(Instant.parse("2026-01-01T02:00:00Z"));
    Plan after = plan("@hourly", ConcurrencyPolicy.Forbid, null, "2026-01-01T01:00:06Z", "2026-01-01T01:00:00Z",
        List.of("s-202601010100"));
    assertThat(after.action()).isEqualTo(Action.NONE);
  }

  @Test
  void missedRunsAfterDowntimeAreMadeUpOnceForTheLatest() throws Exception {
    // down from 01:30 to 05:10: 02:00..05:00 missed, one run for 05:00
    Plan plan = plan("@hourly", ConcurrencyPolicy.Forbid, null, "2026-01-01T05:10:00Z", "2026-01-01T01:00:00Z",
        List.of());
    assertThat(plan.action()).isEqualTo(Action.CREATE);
    assertThat(plan.scheduledTime()).isEqualTo(Instant.parse("2026-01-01T05:00:00Z"));
  }

  @Test
  void aRunLaterThanTheStartingDeadlineIsSkipped() throws Exception {
    Plan late = plan("@hourly", ConcurrencyPolicy.Forbid, 300L, "2026-01-01T05:10:00Z", "2026-01-01T01:00:00Z",
        List.of());
    assertThat(late.action()).isEqualTo(Action.SKIP);
    assertThat(late.reason()).isEqualTo("MissedDeadline");
    assertThat(late.nextScheduleTime()).isEqualTo(Instant.parse("2026-01-01T06:00:00Z"));
    Plan inTime = plan("@hourly", ConcurrencyPolicy.Forbid, 900L, "2026-01-01T05:10:00Z", "2026-01-01T01:00:00Z",
        List.of());
    assertThat(inTime.action()).isEqualTo(Action.CREATE);
  }

  @Test
  void forbidWaitsForTheActiveBackup() throws Exception {
    Plan plan = plan("@hourly", ConcurrencyPolicy.Forbid, null, "2026-01-01T02:00:01Z", "2026-01-01T01:00:00Z",
        List.of("s-202601010100"));
    assertThat(plan.action()).isEqualTo(Action.WAIT);
    assertThat(plan.scheduledTime()).isEqualTo(Instant.parse("2026-01-01T02:00:00Z"));
    assertThat(plan.wakeAfter()).as("the backup's events wake it").isNull();
    Plan withDeadline = plan("@hourly", ConcurrencyPolicy.Forbid, 60L, "2026-01-01T02:00:01Z",
        "2026-01-01T01:00:00Z", List.of("s-202601010100"));
    assertThat(withDeadline.wakeAfter()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void allowRunsBesideAndReplaceDeletesTheActiveOne() throws Exception {
    Plan allow = plan("@hourly", ConcurrencyPolicy.Allow, null, "2026-01-01T02:00:01Z", "2026-01-01T01:00:00Z",
        List.of("a"));
    assertThat(allow.action()).isEqualTo(Action.CREATE);
    assertThat(allow.replace()).isEmpty();
    Plan replace = plan("@hourly", ConcurrencyPolicy.Replace, null, "2026-01-01T02:00:01Z", "2026-01-01T01:00:00Z",
        List.of("a"));
    assertThat(replace.action()).isEqualTo(Action.CREATE);
    assertThat(replace.replace()).containsExactly("a");
  }

  @Test
  void suspendedCreatesNothing() throws Exception {
    Plan plan = SchedulePlanner.plan(new SchedulePlanner.Input(cron("* * * * *", "UTC"), true,
        ConcurrencyPolicy.Forbid, null, Instant.parse("2026-01-01T05:10:00Z"), null, null, CREATED, List.of()));
    assertThat(plan.action()).isEqualTo(Action.SUSPENDED);
    assertThat(plan.nextScheduleTime()).isNull();
  }

  @Test
  void existingBackupsCountWhenStatusWasLost() throws Exception {
    Plan plan = SchedulePlanner.plan(new SchedulePlanner.Input(cron("@hourly", "UTC"), false,
        ConcurrencyPolicy.Allow, null, Instant.parse("2026-01-01T01:00:30Z"), null,
        Instant.parse("2026-01-01T01:00:00Z"), CREATED, List.of()));
    assertThat(plan.action()).isEqualTo(Action.NONE);
  }

  @Test
  void theTimeZoneDecidesWhenDailyIs() throws Exception {
    // midnight in Berlin is 23:00 UTC in winter
    Plan plan = SchedulePlanner.plan(new SchedulePlanner.Input(cron("@daily", "Europe/Berlin"), false,
        ConcurrencyPolicy.Forbid, null, Instant.parse("2026-01-01T23:00:10Z"), null, null, CREATED, List.of()));
    assertThat(plan.action()).isEqualTo(Action.CREATE);
    assertThat(plan.scheduledTime()).isEqualTo(Instant.parse("2026-01-01T23:00:00Z"));
    assertThat(plan.nextScheduleTime()).isEqualTo(Instant.parse("2026-01-02T23:00:00Z"));
  }

  @Test
  void badExpressionsAndZonesAreNamed() {
    assertThatThrownBy(() -> cron("* * * *", "UTC")).hasMessageContaining("five fields");
    assertThatThrownBy(() -> cron("61 * * * *", "UTC")).isInstanceOf(CronSchedule.InvalidSchedule.class)
        .hasMessageContaining("61 * * * *");
    assertThatThrownBy(() -> cron("@every 5m", "UTC")).isInstanceOf(CronSchedule.InvalidSchedule.class);
    assertThatThrownBy(() -> cron("@daily", "Mars/Olympus")).isInstanceOf(CronSchedule.InvalidSchedule.class)
        .hasMessageContaining("Mars/Olympus");
  }

  @Test
  void macrosAndRangesParse() throws Exception {
    CronSchedule weekdays = cron("30 2 * * 1-5", "UTC");
    // 2026-01-03 is a Saturday
    assertThat(weekdays.next(Instant.parse("2026-01-02T03:00:00Z")))
        .contains(Instant.parse("2026-01-05T02:30:00Z"));
    assertThat(cron("@weekly", "UTC").latest(Instant.parse("2026-01-06T00:00:00Z")))
        .contains(Instant.parse("2026-01-04T00:00:00Z"));
    assertThat(cron("* * * * *", "UTC").latest(Instant.parse("2026-01-06T00:01:00Z")))
        .contains(Instant.parse("2026-01-06T00:01:00Z"));
  }

  @Test
  void aRateClockRunsFasterFromItsOrigin() {
    Instant origin = Instant.parse("2026-01-01T00:00:00Z");
    java.time.Clock base = java.time.Clock.fixed(origin.plusSeconds(2), java.time.ZoneOffset.UTC);
    RateClock clock = new RateClock(base, origin, 30);
    assertThat(clock.instant()).isEqualTo(origin.plusSeconds(60));
    assertThat(clock.toReal(Duration.ofMinutes(1))).isEqualTo(Duration.ofSeconds(2));
    assertThat(new RateClock(base, origin, 1).instant()).isEqualTo(base.instant());
  }
}
