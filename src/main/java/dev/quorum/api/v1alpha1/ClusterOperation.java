package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The change to the members in progress: one member, one step at a time. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ClusterOperation {

  @JsonPropertyDescription("ReplaceMember, AddMember or RemoveMember.")
  private String type;

  @JsonPropertyDescription("The member the change is about.")
  private String member;

  @JsonPropertyDescription("The step due now: Discard, Remove, AddLearner, Record, Promote, MoveLeader, Retire, or Wait when"
      + " the change cannot go on safely yet.")
  private String step;

  @JsonPropertyDescription("What the step does, or why the change waits.")
  private String message;

  public ClusterOperation() {}

  public ClusterOperation(String type, String member, String step, String message) {
    this.type = type;
    this.member = member;
    this.step = step;
    this.message = message;
  }

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getMember() {
    return member;
  }

  public void setMember(String member) {
    this.member = member;
  }

  public String getStep() {
    return step;
  }

  public void setStep(String step) {
    this.step = step;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
