package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** The confirmation an in-place restore needs: it replaces everything the cluster holds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class InPlaceRestore {

  @JsonPropertyDescription("The cluster's name again, to confirm that all its current data is replaced.")
  @Required
  private String confirmClusterName;

  public String getConfirmClusterName() {
    return confirmClusterName;
  }

  public void setConfirmClusterName(String confirmClusterName) {
    this.confirmClusterName = confirmClusterName;
  }
}
