package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class EtcdBackupStatus extends OperationStatus {

  @JsonPropertyDescription("The object: s3://<bucket>/<key>.")
  private String location;

  @JsonPropertyDescription("Size of the stored object in bytes.")
  private Long sizeBytes;

  @JsonPropertyDescription("SHA-256 of the stored object, hexadecimal; also in the object's metadata.")
  private String sha256;

  @JsonPropertyDescription("etcd revision the snapshot holds.")
  private Long revision;

  @JsonPropertyDescription("etcd version of the member the snapshot came from.")
  private String etcdVersion;

  @JsonPropertyDescription("etcd cluster ID, hexadecimal.")
  private String clusterID;

  @JsonPropertyDescription("The member the snapshot was taken from.")
  private String sourceMember;

  public String getLocation() {
    return location;
  }

  public void setLocation(String location) {
    this.location = location;
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

  public Long getRevision() {
    return revision;
  }

  public void setRevision(Long revision) {
    this.revision = revision;
  }

  public String getEtcdVersion() {
    return etcdVersion;
  }

  public void setEtcdVersion(String etcdVersion) {
    this.etcdVersion = etcdVersion;
  }

  public String getClusterID() {
    return clusterID;
  }

  public void setClusterID(String clusterID) {
    this.clusterID = clusterID;
  }

  public String getSourceMember() {
    return sourceMember;
  }

  public void setSourceMember(String sourceMember) {
    this.sourceMember = sourceMember;
  }
}
