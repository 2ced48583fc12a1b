package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** The snapshot a restore starts from: an EtcdBackup of this namespace, or an object in a bucket. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = "has(self.backup) != has(self.s3)", message = SnapshotSource.ONE_SOURCE_MESSAGE)
public class SnapshotSource {

  public static final String ONE_SOURCE_MESSAGE =
      "name exactly one source: backup (an EtcdBackup in this namespace) or s3 (a bucket and key)";
  static final String SHA256_RULE = "self.matches('^[0-9a-f]{64}$')";
  public static final String SHA256_MESSAGE = "sha256 must be 64 lower-case hexadecimal digits";

  @JsonPropertyDescription("An EtcdBackup in this namespace that has Succeeded; its object, store and checksum are"
      + " used.")
  @ValidationRule(value = "size(self) > 0", message = "backup must name an EtcdBackup")
  private String backup;

  @JsonPropertyDescription("An object in an S3 or S3-compatible bucket: a snapshot as etcdctl or etcdutl saves it, or"
      + " a backup's object (gzip-compressed ones too).")
  private S3Object s3;

  /** etcd's disaster-recovery guide's figure: a week of writes at 1500 a second. */
  public static final long DEFAULT_BUMP_REVISION = 1_000_000_000L;

  @JsonPropertyDescription("How far past the snapshot's revision the restored data starts, every revision up to there"
      + " marked compacted (etcdutl snapshot restore --bump-revision --mark-compacted): clients and caches that saw"
      + " later revisions of the source, such as a Kubernetes API server's watches and informers, are told their"
      + " revisions are compacted and list again, instead of meeting revisions reused for other data. Default"
      + " 1000000000, the figure of etcd's recovery guide; 0 restores the snapshot's revision as it is, for data no"
      + " client watches across a restore.")
  @Min(0)
  @Default("1000000000")
  private Long bumpRevision;

  @JsonPropertyDescription("The SHA-256 the object must have (hexadecimal). Default: the backup's, or the object's"
      + " sha256 metadata. Without one, etcd's own snapshot checksum must be in the object.")
  @ValidationRule(value = SHA256_RULE, message = SHA256_MESSAGE)
  private String sha256;

  public String getBackup() {
    return backup;
  }

  public void setBackup(String backup) {
    this.backup = backup;
  }

  public S3Object getS3() {
    return s3;
  }

  public void setS3(S3Object s3) {
    this.s3 = s3;
  }

  public Long getBumpRevision() {
    return bumpRevision;
  }

  public void setBumpRevision(Long bumpRevision) {
    this.bumpRevision = bumpRevision;
  }

  /** The revision bump asked for, or the default when none is. */
  public long bumpRevisionOrDefault() {
    return bumpRevision == null ? DEFAULT_BUMP_REVISION : bumpRevision;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }
}
