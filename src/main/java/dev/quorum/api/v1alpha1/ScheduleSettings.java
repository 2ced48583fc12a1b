package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * When backups run and which are kept: what an EtcdBackupSchedule and an EtcdCluster's inline schedule
 * ({@link ClusterBackupSchedule}) share.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ScheduleSettings {

  /**
   * Five fields separated by spaces, or a macro. CEL cannot parse cron: the operator checks the fields themselves
   * (a bad expression is reported in status and by a Warning event).
   */
  static final String SCHEDULE_RULE =
      "self.matches('^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|[^ ]+( +[^ ]+){4})$')";
  public static final String SCHEDULE_MESSAGE = "schedule must be five cron fields (minute hour day-of-month month"
      + " day-of-week) or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly";

  @JsonPropertyDescription("When to back up: a cron expression of five fields (minute hour day-of-month month"
      + " day-of-week), or @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly.")
  @Required
  @ValidationRule(value = SCHEDULE_RULE, message = SCHEDULE_MESSAGE)
  private String schedule;

  @JsonPropertyDescription("IANA time zone the schedule is read in, e.g. Europe/Berlin.")
  @Default("UTC")
  private String timeZone = "UTC";

  @JsonPropertyDescription("Create no new backups while true; retention still applies.")
  @Default("false")
  private boolean suspend;

  @JsonPropertyDescription("Forbid (wait for the running backup), Allow (run beside it) or Replace (delete it).")
  @Default("Forbid")
  private ConcurrencyPolicy concurrencyPolicy = ConcurrencyPolicy.Forbid;

  @JsonPropertyDescription("A run missed by more than this many seconds (the operator was down, or Forbid waited)"
      + " is skipped; unset: a missed run is always made up, once.")
  @Min(0)
  private Long startingDeadlineSeconds;

  @JsonPropertyDescription("How many finished successful EtcdBackups to keep (resources only) when there is no"
      + " retention; with retention, each kept object keeps its EtcdBackup.")
  @Default("3")
  @Min(0)
  private int successfulBackupsHistoryLimit = 3;

  @JsonPropertyDescription("How many failed EtcdBackups to keep.")
  @Default("1")
  @Min(0)
  private int failedBackupsHistoryLimit = 1;

  @JsonPropertyDescription("Which successful backups to keep: older ones lose their object and their EtcdBackup.")
  private BackupRetention retention;

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

  public boolean isSuspend() {
    return suspend;
  }

  public void setSuspend(boolean suspend) {
    this.suspend = suspend;
  }

  public ConcurrencyPolicy getConcurrencyPolicy() {
    return concurrencyPolicy;
  }

  public void setConcurrencyPolicy(ConcurrencyPolicy concurrencyPolicy) {
    this.concurrencyPolicy = concurrencyPolicy;
  }

  public Long getStartingDeadlineSeconds() {
    return startingDeadlineSeconds;
  }

  public void setStartingDeadlineSeconds(Long startingDeadlineSeconds) {
    this.startingDeadlineSeconds = startingDeadlineSeconds;
  }

  public int getSuccessfulBackupsHistoryLimit() {
    return successfulBackupsHistoryLimit;
  }

  public void setSuccessfulBackupsHistoryLimit(int successfulBackupsHistoryLimit) {
    this.successfulBackupsHistoryLimit = successfulBackupsHistoryLimit;
  }

  public int getFailedBackupsHistoryLimit() {
    return failedBackupsHistoryLimit;
  }

  public void setFailedBackupsHistoryLimit(int failedBackupsHistoryLimit) {
    this.failedBackupsHistoryLimit = failedBackupsHistoryLimit;
  }

  public BackupRetention getRetention() {
    return retention;
  }

  public void setRetention(BackupRetention retention) {
    this.retention = retention;
  }
}
