package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class EtcdRestoreStatus extends OperationStatus {

  @JsonPropertyDescription("When the next attempt to check the source starts, after a transient failure (RFC 3339).")
  private String retryAt;

  @JsonPropertyDescription("The object restored: s3://<bucket>/<key>.")
  private String source;

  @JsonPropertyDescription("Size of the stored object in bytes.")
  private Long sizeBytes;

  @JsonPropertyDescription("SHA-256 of the stored object, verified before anything was created or stopped.")
  private String sha256;

  @JsonPropertyDescription("The snapshot's etcd revision, when known.")
  private Long snapshotRevision;

  @JsonPropertyDescription("The etcd revision the restored data starts at, when known: the snapshot's, moved past by"
      + " source.bumpRevision.")
  private Long restoredRevision;

  @JsonPropertyDescription("UID of the EtcdCluster restored into (the one created, or the existing one in place).")
  private String clusterUID;

  @JsonPropertyDescription("The cluster token the restored members start with: a new cluster identity.")
  private String initialClusterToken;

  @JsonPropertyDescription("In place: the volume claims that held the replaced data, deleted once the restored"
      + " cluster is Available.")
  private List<String> replacedClaims;

  public String getSource() {
    return source;
  }

  public void setSource(String source) {
    this.source = source;
  }

  public Long getSizeBytes() {
    return sizeBytes;
  }

  public void setSizeBytes(Long sizeBytes) {
    this.sizeBytes = sizeBytes;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }

  public Long getSnapshotRevision() {
    return snapshotRevision;
  }

  public void setSnapshotRevision(Long snapshotRevision) {
    this.snapshotRevision = snapshotRevision;
  }

  public Long getRestoredRevision() {
    return restoredRevision;
  }

  public void setRestoredRevision(Long restoredRevision) {
    this.restoredRevision = restoredRevision;
  }

  public String getClusterUID() {
    return clusterUID;
  }

  public void setClusterUID(String clusterUID) {
    this.clusterUID = clusterUID;
  }

  public String getInitialClusterToken() {
    return initialClusterToken;
  }

  public void setInitialClusterToken(String initialClusterToken) {
    this.initialClusterToken = initialClusterToken;
  }

  public List<String> getReplacedClaims() {
    return replacedClaims;
  }

  public void setReplacedClaims(List<String> replacedClaims) {
    this.replacedClaims = replacedClaims;
  }

  public String getRetryAt() {
    return retryAt;
  }

  public void setRetryAt(String retryAt) {
    this.retryAt = retryAt;
  }
}
