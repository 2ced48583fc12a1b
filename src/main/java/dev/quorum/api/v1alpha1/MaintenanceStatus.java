package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** Care of the members' databases (compaction, defragmentation, alarms): how far it got, or how the last one ended. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class MaintenanceStatus {

  @JsonPropertyDescription("NoSpaceRecovery (etcd raised NOSPACE: the history is compacted, every member defragmented"
      + " with the leader last, and the alarm disarmed once the data fits) or Defragmentation (spec.defragmentation:"
      + " every member defragmented, the leader last).")
  private String type;

  @JsonPropertyDescription("When it began (RFC 3339).")
  private String startedAt;

  @JsonPropertyDescription("When it ended (RFC 3339); unset while it runs.")
  private String finishedAt;

  @JsonPropertyDescription("The revision the key history was compacted up to.")
  private Long compactedRevision;

  @JsonPropertyDescription("The members defragmented so far, in order.")
  private List<String> defragmented = new ArrayList<>();

  @JsonPropertyDescription("The members' databases together when it began, in bytes.")
  private Long sizeBeforeBytes;

  @JsonPropertyDescription("The members' databases together when it ended, in bytes.")
  private Long sizeAfterBytes;

  @JsonPropertyDescription("How it ended, or what it waits for.")
  private String message;

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
  }

  public Long getCompactedRevision() {
    return compactedRevision;
  }

  public void setCompactedRevision(Long compactedRevision) {
    this.compactedRevision = compactedRevision;
  }

  public List<String> getDefragmented() {
    return defragmented;
  }

  public void setDefragmented(List<String> defragmented) {
    this.defragmented = defragmented;
  }

  public Long getSizeBeforeBytes() {
    return sizeBeforeBytes;
  }

  public void setSizeBeforeBytes(Long sizeBeforeBytes) {
    this.sizeBeforeBytes = sizeBeforeBytes;
  }

  public Long getSizeAfterBytes() {
    return sizeAfterBytes;
  }

  public void setSizeAfterBytes(Long sizeAfterBytes) {
    this.sizeAfterBytes = sizeAfterBytes;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
