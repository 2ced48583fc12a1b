package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One etcd member as the operator last saw it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class MemberStatus {

  private String name;

  @JsonPropertyDescription("etcd member ID, hexadecimal.")
  private String id;

  private String peerURL;

  private String clientURL;

  @JsonPropertyDescription("The member answers requests and its pod is ready.")
  private boolean ready;

  private boolean leader;

  @JsonPropertyDescription("True while the member is a learner: it receives the log but does not vote yet (a member"
      + " being added or replaced, promoted once it has caught up). Absent for voting members.")
  private Boolean learner;

  @JsonPropertyDescription("How many revisions the member's store is behind the leader's, as both answered at the"
      + " last look (a few while writes land is normal). Absent when either did not answer.")
  private Long revisionLag;

  @JsonPropertyDescription("Why the member is not ready, in one word (Unreachable, NoLeader, Learner, NotStarted,"
      + " PodNotReady, NoPod). Absent when it is ready.")
  private String reason;

  @JsonPropertyDescription("Why the member is not ready, in words (etcd's own when it gave them). Absent when it is"
      + " ready.")
  private String message;

  public MemberStatus() {}

  public MemberStatus(String name, String id, String peerURL, String clientURL, boolean ready, boolean leader) {
    this.name = name;
    this.id = id;
    this.peerURL = peerURL;
    this.clientURL = clientURL;
    this.ready = ready;
    this.leader = leader;
  }

  public Boolean getLearner() {
    return learner;
  }

  public void setLearner(Boolean learner) {
    this.learner = learner;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getPeerURL() {
    return peerURL;
  }

  public void setPeerURL(String peerURL) {
    this.peerURL = peerURL;
  }

  public String getClientURL() {
    return clientURL;
  }

  public void setClientURL(String clientURL) {
    this.clientURL = clientURL;
  }

  public boolean isReady() {
    return ready;
  }

  public void setReady(boolean ready) {
    this.ready = ready;
  }

  public boolean isLeader() {
    return leader;
  }

  public void setLeader(boolean leader) {
    this.leader = leader;
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

  public Long getRevisionLag() {
    return revisionLag;
  }

  public void setRevisionLag(Long revisionLag) {
    this.revisionLag = revisionLag;
  }
}
