package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * What an EtcdBackup's spec holds, without its immutability rule: an EtcdBackupSchedule's template may change
 * (the backups it already created keep theirs).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class EtcdBackupTemplate {

  /** A DNS-1123 subdomain, as every Kubernetes object name. */
  static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  @JsonPropertyDescription("Name of the EtcdCluster to back up, in the EtcdBackup's namespace.")
  @Required
  @Pattern(NAME_PATTERN)
  private String clusterName;

  @JsonPropertyDescription("Where the snapshot goes.")
  @Required
  private BackupDestination destination;

  @JsonPropertyDescription("None (default) stores the snapshot as etcd sends it; Gzip compresses it while streaming"
      + " (the key then ends in .db.gz). Worth it for large, compressible data when storage costs more than CPU.")
  @Default("None")
  private BackupCompression compression = BackupCompression.None;

  public String getClusterName() {
    return clusterName;
  }

  public void setClusterName(String clusterName) {
    this.clusterName = clusterName;
  }

  public BackupDestination getDestination() {
    return destination;
  }

  public void setDestination(BackupDestination destination) {
    this.destination = destination;
  }

  public BackupCompression getCompression() {
    return compression;
  }

  public void setCompression(BackupCompression compression) {
    this.compression = compression;
  }
}
