package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = "self == oldSelf", message = EtcdBackupSpec.IMMUTABLE_MESSAGE)
public class EtcdBackupSpec {

  public static final String IMMUTABLE_MESSAGE =
      "an EtcdBackup's spec cannot change: it describes one snapshot; create another EtcdBackup";
  /** A DNS-1123 subdomain, as every Kubernetes object name. */
  static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  @JsonPropertyDescription("Name of the EtcdCluster to back up, in the EtcdBackup's namespace.")
  @Required
  @Pattern(NAME_PATTERN)
  private String clusterName;

  @JsonPropertyDescription("Where the snapshot goes.")
  @Required
  private BackupDestination destination;

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
}
