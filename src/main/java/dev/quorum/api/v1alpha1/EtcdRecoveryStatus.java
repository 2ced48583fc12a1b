package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** What the recovery decided when it began, how far it got, and what it recovered. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class EtcdRecoveryStatus extends OperationStatus {

  @JsonPropertyDescription("From: Survivor, the member recovered from (the one with the highest Raft index).")
  private String survivor;

  @JsonPropertyDescription("The survivor's Raft index when the recovery began.")
  private Long survivorRaftIndex;

  @JsonPropertyDescription("The etcd revision the recovered cluster starts from: the survivor's, or the backup's.")
  private Long recoveredRevision;

  @JsonPropertyDescription("What this way gives up, as known when it began: the survivor's revision against the"
      + " newest known, or the backup's revision and age.")
  private String loss;

  @JsonPropertyDescription("From: Survivor, the uids of the claims the other members held when it began: their data"
      + " is set aside (never served again) and deleted once the survivor runs alone. None in StaticPod mode: the"
      + " others' data directories stay on their nodes, unused, and they rejoin in fresh ones.")
  private List<String> setAsideClaims;

  @JsonPropertyDescription("From: Survivor, whether the survivor runs alone and the others are left to come back"
      + " empty through the usual learner-first joins.")
  private Boolean handedOver;

  @JsonPropertyDescription("From: Backup, the EtcdBackup restored.")
  private String backup;

  @JsonPropertyDescription("From: Backup, the in-place EtcdRestore carrying it out.")
  private String restore;

  @JsonPropertyDescription("Once Succeeded, the members that came back: re-added empty, learner first (from a"
      + " survivor), or restored (from a backup).")
  private List<String> members;

  @JsonPropertyDescription("From: Backup, the newer backups passed over, each with why (its object failed the"
      + " restore's check, nothing was touched).")
  private List<String> skippedBackups;

  public String getSurvivor() {
    return survivor;
  }

  public void setSurvivor(String survivor) {
    this.survivor = survivor;
  }

  public Long getSurvivorRaftIndex() {
    return survivorRaftIndex;
  }

  public void setSurvivorRaftIndex(Long survivorRaftIndex) {
    this.survivorRaftIndex = survivorRaftIndex;
  }

  public Long getRecoveredRevision() {
    return recoveredRevision;
  }

  public void setRecoveredRevision(Long recoveredRevision) {
    this.recoveredRevision = recoveredRevision;
  }

  public String getLoss() {
    return loss;
  }

  public void setLoss(String loss) {
    this.loss = loss;
  }

  public List<String> getSetAsideClaims() {
    return setAsideClaims;
  }

  public void setSetAsideClaims(List<String> setAsideClaims) {
    this.setAsideClaims = setAsideClaims;
  }

  public Boolean getHandedOver() {
    return handedOver;
  }

  public void setHandedOver(Boolean handedOver) {
    this.handedOver = handedOver;
  }

  public String getBackup() {
    return backup;
  }

  public void setBackup(String backup) {
    this.backup = backup;
  }

  public String getRestore() {
    return restore;
  }

  public void setRestore(String restore) {
    this.restore = restore;
  }

  public List<String> getSkippedBackups() {
    return skippedBackups;
  }

  public void setSkippedBackups(List<String> skippedBackups) {
    this.skippedBackups = skippedBackups;
  }

  public List<String> getMembers() {
    return members;
  }

  public void setMembers(List<String> members) {
    this.members = members;
  }
}
