package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** An alarm etcd raised on a member, as etcdctl alarm list shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class AlarmStatus {

  @JsonPropertyDescription("NOSPACE (the database reached its quota: the cluster takes reads and deletes only) or"
      + " CORRUPT (the member's data differs from the others').")
  private String type;

  @JsonPropertyDescription("The member it was raised on (its name, or its etcd ID when it has none).")
  private String member;

  public AlarmStatus() {}

  public AlarmStatus(String type, String member) {
    this.type = type;
    this.member = member;
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
}
