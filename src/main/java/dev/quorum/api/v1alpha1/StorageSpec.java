package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class StorageSpec {

  /** Kubernetes' own quantity syntax, so a bad size fails at admission rather than when a member claim is created. */
  static final String QUANTITY_PATTERN =
      "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

  @JsonPropertyDescription(
      "Keep member data in an emptyDir instead of a PersistentVolumeClaim. WARNING: a member's data is"
          + " lost whenever its pod goes away; losing a majority at once loses the cluster's data.")
  @Default("false")
  private boolean ephemeral;

  @JsonPropertyDescription("Size of each member's volume claim, e.g. 1Gi.")
  @Default("1Gi")
  @Pattern(QUANTITY_PATTERN)
  private String size = "1Gi";

  @JsonPropertyDescription("StorageClass of the volume claims; the cluster default when empty.")
  private String storageClassName;

  @JsonPropertyDescription("Retain or Delete the volume claims when the EtcdCluster is deleted.")
  @Default("Retain")
  private PvcRetentionPolicy pvcRetentionPolicy = PvcRetentionPolicy.Retain;

  public boolean isEphemeral() {
    return ephemeral;
  }

  public void setEphemeral(boolean ephemeral) {
    this.ephemeral = ephemeral;
  }

  public String getSize() {
    return size;
  }

  public void setSize(String size) {
    this.size = size;
  }

  public String getStorageClassName() {
    return storageClassName;
  }

  public void setStorageClassName(String storageClassName) {
    this.storageClassName = storageClassName;
  }

  public PvcRetentionPolicy getPvcRetentionPolicy() {
    return pvcRetentionPolicy;
  }

  public void setPvcRetentionPolicy(PvcRetentionPolicy pvcRetentionPolicy) {
    this.pvcRetentionPolicy = pvcRetentionPolicy;
  }
}
