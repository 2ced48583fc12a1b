package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A backup schedule declared on the EtcdCluster itself: the operator keeps an EtcdBackupSchedule named
 * {@code <cluster>-backup} owned by the cluster, backing up this cluster to {@link #destination}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = ClusterBackupSchedule.NO_KEY_RULE, message = ClusterBackupSchedule.NO_KEY_MESSAGE)
public class ClusterBackupSchedule extends ScheduleSettings {

  static final String NO_KEY_RULE = "!has(self.destination) || !has(self.destination.s3)"
      + " || !has(self.destination.s3.key)";
  public static final String NO_KEY_MESSAGE = "backup.destination.s3.key cannot be set on a schedule: each backup"
      + " needs its own object; use prefix";

  @JsonPropertyDescription("Where the snapshots go.")
  @Required
  private BackupDestination destination;

  @JsonPropertyDescription("None (default) stores the snapshot as etcd sends it; Gzip compresses it while streaming"
      + " (the key then ends in .db.gz). Worth it for large, compressible data when storage costs more than CPU.")
  @Default("None")
  private BackupCompression compression = BackupCompression.None;

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
