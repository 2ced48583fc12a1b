package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** How a new cluster's data starts; read once, when its members are first created. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ClusterBootstrap {

  @JsonPropertyDescription("Start from this snapshot instead of an empty database: every founding member restores it"
      + " before its first start.")
  @Required
  private SnapshotSource restore;

  public SnapshotSource getRestore() {
    return restore;
  }

  public void setRestore(SnapshotSource restore) {
    this.restore = restore;
  }
}
