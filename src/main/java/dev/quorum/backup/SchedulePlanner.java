package dev.quorum.backup;

import dev.quorum.model.CronSchedule;
import dev.quorum.api.v1alpha1.ConcurrencyPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a schedule does now, as a pure function: create the run of a scheduled time, skip it, wait, or nothing until
 * the next time. Missed runs (the operator was down) are made up once, for the latest missed time only, as a
 * CronJob's; a run later than startingDeadlineSeconds is skipped.
 */
public final class SchedulePlanner {

  private SchedulePlanner() {}

  /**
   * @param lastScheduleTime the scheduled time of the last run created, from status; null when none
   * @param newestExisting   the latest scheduled time among the schedule's EtcdBackups, null when none: covers a
   *                         status lost or not written after a create
   * @param createdAt        when the schedule was created: no run is due before it
   * @param active           names of the schedule's backups not finished yet
   */
  public record Input(CronSchedule cron, boolean suspend, ConcurrencyPolicy policy, Long startingDeadlineSeconds,
      Instant now, Instant lastScheduleTime, Instant newestExisting, Instant createdAt, List<String> active) {}

  public enum Action { NONE, CREATE, SKIP, WAIT, SUSPENDED }

  /**
   * @param scheduledTime     the time the action is about (the run to create, skip or wait for); null for NONE
   * @param replace           active backups to delete before creating (Replace)
   * @param nextScheduleTime  the next time after now; null when suspended or there is none
   * @param wakeAfter         when to look again on the schedule's clock; null: only when something changes
   */
  public record Plan(Action action, Instant scheduledTime, List<String> replace, Instant nextScheduleTime,
      Duration wakeAfter, String reason, String message) {}

  public static Plan plan(Input in) {
    if (in.suspend()) {
      return new Plan(Action.SUSPENDED, null, List.of(), null, null, "Suspended", "suspended: no new backups");
    }
    Instant next = in.cron().next(in.now()).orElse(null);
    Duration wake = next == null ? null : Duration.between(in.now(), next);
    Instant after = latest(in.createdAt(), in.lastScheduleTime(), in.newestExisting());
    Optional<Instant> due = in.cron().latest(in.now()).filter(t -> t.isAfter(after));
    if (due.isEmpty()) {
      return new Plan(Action.NONE, null, List.of(), next, wake, "Scheduled",
          next == null ? "the schedule has no future time" : "next backup at " + next);
    }
    Instant time = due.get();
    Duration late = Duration.between(time, in.now());
    if (in.startingDeadlineSeconds() != null && late.getSeconds() > in.startingDeadlineSeconds()) {
      return new Plan(Action.SKIP, time, List.of(), next, wake, "MissedDeadline", String.format(
          "skipped the run of %s: %ds late, more than startingDeadlineSeconds (%d); next backup at %s", time,
          late.getSeconds(), in.startingDeadlineSeconds(), next));
    }
    if (!in.active().isEmpty() && in.policy() == ConcurrencyPolicy.Forbid) {
      // the backups' events wake the schedule when they finish; the deadline may pass meanwhile
      Duration untilDeadline = in.startingDeadlineSeconds() == null ? null
          : Duration.ofSeconds(in.startingDeadlineSeconds()).minus(late).plusSeconds(1);
      return new Plan(Action.WAIT, time, List.of(), next, untilDeadline, "WaitingForActive", String.format(
          "the run of %s waits for %s to finish (concurrencyPolicy Forbid)", time, String.join(", ", in.active())));
    }
    List<String> replace = in.policy() == ConcurrencyPolicy.Replace ? List.copyOf(in.active()) : List.of();
    return new Plan(Action.CREATE, time, replace, next, wake, "Scheduled",
        "created the backup of " + time + (replace.isEmpty() ? "" : ", replacing " + String.join(", ", replace))
            + (next == null ? "" : "; next at " + next));
  }

  private static Instant latest(Instant... times) {
    Instant latest = Instant.MIN;
    for (Instant t : times) {
      if (t != null && t.isAfter(latest)) {
        latest = t;
      }
    }
    return latest;
  }
}
