package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * When the members' databases are defragmented: on a schedule, when free pages take up a share of a member's file, or
 * both. Either way every member is defragmented, one at a time, followers first, the leader after handing leadership
 * to one of them, and only while every member is healthy.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = "has(self.schedule) || has(self.freeSpacePercent)",
    message = DefragmentationPolicy.NO_TRIGGER_MESSAGE)
public class DefragmentationPolicy {

  public static final String NO_TRIGGER_MESSAGE =
      "defragmentation needs a schedule, a freeSpacePercent, or both: say when the members are defragmented";

  @JsonPropertyDescription("When to defragment every member: a cron expression of five fields (minute hour"
      + " day-of-month month day-of-week), or @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly.")
  @ValidationRule(value = ScheduleSettings.SCHEDULE_RULE, message = ScheduleSettings.SCHEDULE_MESSAGE)
  private String schedule;

  @JsonPropertyDescription("IANA time zone the schedule is read in, e.g. Europe/Berlin.")
  @Default("UTC")
  private String timeZone = "UTC";

  @JsonPropertyDescription("Defragment every member once free pages make up at least this percentage of a member's"
      + " database file (and at least 64 MiB of it): etcd reuses free pages, but the file never shrinks by itself.")
  @Min(10)
  @Max(90)
  private Integer freeSpacePercent;

  public String getSchedule() {
    return schedule;
  }

  public void setSchedule(String schedule) {
    this.schedule = schedule;
  }

  public String getTimeZone() {
    return timeZone;
  }

  public void setTimeZone(String timeZone) {
    this.timeZone = timeZone;
  }

  public Integer getFreeSpacePercent() {
    return freeSpacePercent;
  }

  public void setFreeSpacePercent(Integer freeSpacePercent) {
    this.freeSpacePercent = freeSpacePercent;
  }
}
