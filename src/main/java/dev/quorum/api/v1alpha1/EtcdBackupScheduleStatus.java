package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class EtcdBackupScheduleStatus {

  @JsonPropertyDescription("The spec generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("The scheduled time of the last backup created (RFC 3339).")
  private String lastScheduleTime;

  @JsonPropertyDescription("When the last successful backup completed (RFC 3339).")
  private String lastSuccessfulTime;

  @JsonPropertyDescription("The next scheduled time (RFC 3339); absent while suspended or invalid.")
  private String nextScheduleTime;

  @JsonPropertyDescription("Names of the schedule's backups not finished yet.")
  private List<String> active = new ArrayList<>();

  @JsonPropertyDescription("Why the schedule is in its state, in one CamelCase word: Scheduled, Suspended,"
      + " InvalidSchedule, InvalidTimeZone, WaitingForActive, MissedDeadline, RetentionFailed.")
  private String reason;

  @JsonPropertyDescription("What happened last, for people.")
  private String message;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getLastScheduleTime() {
    return lastScheduleTime;
  }

  public void setLastScheduleTime(String lastScheduleTime) {
    this.lastScheduleTime = lastScheduleTime;
  }

  public String getLastSuccessfulTime() {
    return lastSuccessfulTime;
  }

  public void setLastSuccessfulTime(String lastSuccessfulTime) {
    this.lastSuccessfulTime = lastSuccessfulTime;
  }

  public String getNextScheduleTime() {
    return nextScheduleTime;
  }

  public void setNextScheduleTime(String nextScheduleTime) {
    this.nextScheduleTime = nextScheduleTime;
  }

  public List<String> getActive() {
    return active;
  }

  public void setActive(List<String> active) {
    this.active = active;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
