package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * What to restore and where: a new cluster named {@code clusterName} (the default, its spec in {@code clusterSpec}),
 * or, with {@code inPlace} confirming the name, the existing cluster of that name.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = "self == oldSelf", message = EtcdRestoreSpec.IMMUTABLE_MESSAGE)
@ValidationRule(value = "!has(self.inPlace) || self.inPlace.confirmClusterName == self.clusterName",
    message = EtcdRestoreSpec.CONFIRM_MESSAGE)
@ValidationRule(value = "!(has(self.inPlace) && has(self.clusterSpec))", message = EtcdRestoreSpec.IN_PLACE_SPEC_MESSAGE)
@ValidationRule(value = "!has(self.clusterSpec) || !has(self.clusterSpec.bootstrap)",
    message = EtcdRestoreSpec.BOOTSTRAP_MESSAGE)
public class EtcdRestoreSpec {

  public static final String IMMUTABLE_MESSAGE =
      "an EtcdRestore's spec cannot change: it describes one restore; create another EtcdRestore";
  public static final String CONFIRM_MESSAGE =
      "an in-place restore replaces all data of the cluster: inPlace.confirmClusterName must repeat clusterName";
  public static final String IN_PLACE_SPEC_MESSAGE =
      "clusterSpec is for a new cluster; an in-place restore keeps the existing cluster's spec";
  public static final String BOOTSTRAP_MESSAGE = "clusterSpec.bootstrap is set by the restore from source; leave it out";
  static final String NAME_RULE = "self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$') && size(self) <= 40";
  static final String NAME_MESSAGE = "clusterName must be a DNS label of at most 40 characters";

  @JsonPropertyDescription("The snapshot to restore.")
  @Required
  private SnapshotSource source;

  @JsonPropertyDescription("The EtcdCluster restored into, in this namespace: created by the restore (it must not"
      + " exist), or with inPlace the existing one.")
  @Required
  @ValidationRule(value = NAME_RULE, message = NAME_MESSAGE)
  private String clusterName;

  @JsonPropertyDescription("The new cluster's spec (size, version, storage...); the defaults when empty.")
  private EtcdClusterSpec clusterSpec;

  @JsonPropertyDescription("Restore over the existing cluster clusterName: its members are stopped and every one"
      + " restored from the snapshot with a new cluster identity, under the same name and client Service.")
  private InPlaceRestore inPlace;

  public SnapshotSource getSource() {
    return source;
  }

  public void setSource(SnapshotSource source) {
    this.source = source;
  }

  public String getClusterName() {
    return clusterName;
  }

  public void setClusterName(String clusterName) {
    this.clusterName = clusterName;
  }

  public EtcdClusterSpec getClusterSpec() {
    return clusterSpec;
  }

  public void setClusterSpec(EtcdClusterSpec clusterSpec) {
    this.clusterSpec = clusterSpec;
  }

  public InPlaceRestore getInPlace() {
    return inPlace;
  }

  public void setInPlace(InPlaceRestore inPlace) {
    this.inPlace = inPlace;
  }
}
