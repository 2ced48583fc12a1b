package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Which cluster to bring back, confirmed by its name, and from where. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = "self == oldSelf", message = EtcdRecoverySpec.IMMUTABLE_MESSAGE)
@ValidationRule(value = "self.confirmClusterName == self.clusterName", message = EtcdRecoverySpec.CONFIRM_MESSAGE)
@ValidationRule(value = "!has(self.backupName) || self.from == 'Backup'", message = EtcdRecoverySpec.BACKUP_MESSAGE)
public class EtcdRecoverySpec {

  public static final String IMMUTABLE_MESSAGE =
      "an EtcdRecovery's spec cannot change: it describes one recovery; create another EtcdRecovery";
  public static final String CONFIRM_MESSAGE = "a recovery gives up what the lost members held and re-forms the"
      + " cluster: confirmClusterName must repeat clusterName";
  public static final String BACKUP_MESSAGE = "backupName names the EtcdBackup to restore: only with from: Backup";

  @JsonPropertyDescription("The EtcdCluster in this namespace that lost its quorum for good.")
  @Required
  @ValidationRule(value = EtcdRestoreSpec.NAME_RULE, message = EtcdRestoreSpec.NAME_MESSAGE)
  private String clusterName;

  @JsonPropertyDescription("The cluster's name again, to confirm that what only the lost members held is given up.")
  @Required
  private String confirmClusterName;

  @JsonPropertyDescription("Survivor: the member that answers with the most data (highest Raft index) becomes a"
      + " one-member cluster (--force-new-cluster, once) and the others come back empty, one at a time. Backup: the"
      + " cluster is restored in place from backupName, or the newest Succeeded EtcdBackup of the cluster whose object"
      + " verifies (a newer one that does not is skipped, and said so). LeastLoss: whichever of the two has the"
      + " higher etcd revision (the survivor when they tie).")
  @Required
  private RecoverySource from;

  @JsonPropertyDescription("With from: Backup, the EtcdBackup to restore; the newest verified one when unset.")
  private String backupName;

  public String getClusterName() {
    return clusterName;
  }

  public void setClusterName(String clusterName) {
    this.clusterName = clusterName;
  }

  public String getConfirmClusterName() {
    return confirmClusterName;
  }

  public void setConfirmClusterName(String confirmClusterName) {
    this.confirmClusterName = confirmClusterName;
  }

  public RecoverySource getFrom() {
    return from;
  }

  public void setFrom(RecoverySource from) {
    this.from = from;
  }

  public String getBackupName() {
    return backupName;
  }

  public void setBackupName(String backupName) {
    this.backupName = backupName;
  }
}
