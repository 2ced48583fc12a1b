package dev.quorum.model;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;

/** A five-field cron expression (or a macro) read in a time zone, as a CronJob's schedule. Immutable. */
public final class CronSchedule {

  // macros spelled out, so they mean exactly what they mean for a CronJob
  static final Map<String, String> MACROS = Map.of(
      "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
      "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
  private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final ExecutionTime execution;
  private final ZoneId zone;

  private CronSchedule(ExecutionTime execution, ZoneId zone) {
    this.execution = execution;
    this.zone = zone;
  }

  /** @throws InvalidSchedule naming what is wrong with the expression or the time zone */
  public static CronSchedule parse(String expression, String timeZone) throws InvalidSchedule {
    ZoneId zone;
    try {
      zone = ZoneId.of(timeZone == null || timeZone.isBlank() ? "UTC" : timeZone);
    } catch (DateTimeException e) {
      throw new InvalidSchedule("InvalidTimeZone", "timeZone " + timeZone + " is not an IANA time zone");
    }
    String trimmed = expression == null ? "" : expression.trim();
    String cron = MACROS.getOrDefault(trimmed, trimmed);
    if (cron.split("\\s+").length != 5) {
      throw new InvalidSchedule("InvalidSchedule", "schedule '" + expression + "' must have five fields or be a macro");
    }
    try {
      return new CronSchedule(ExecutionTime.forCron(PARSER.parse(cron)), zone);
    } catch (IllegalArgumentException e) {
      throw new InvalidSchedule("InvalidSchedule", "schedule '" + expression + "' is not a cron expression: "
          + e.getMessage());
    }
  }

  /** The first scheduled time strictly after {@code after}; empty when there is none (e.g. 30 February). */
  public Optional<Instant> next(Instant after) {
    return execution.nextExecution(ZonedDateTime.ofInstant(after, zone)).map(ZonedDateTime::toInstant);
  }

  /** The latest scheduled time at or before {@code at}. */
  public Optional<Instant> latest(Instant at) {
    // cron-utils' lastExecution is strictly before its argument; scheduled times are whole minutes
    return execution.lastExecution(ZonedDateTime.ofInstant(at.plusNanos(1), zone))
        .map(ZonedDateTime::toInstant).filter(t -> !t.isAfter(at));
  }

  /** A schedule that cannot be used, with the status reason to report. */
  public static final class InvalidSchedule extends Exception {

    private final String reason;

    public InvalidSchedule(String reason, String message) {
      super(message);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }
}
