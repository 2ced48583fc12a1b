package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** Where and how the members of a StaticPod-mode cluster run. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class StaticPodSettings {

  public static final String DEFAULT_MANIFEST_DIRECTORY = "/etc/kubernetes/manifests";
  /** Apart from kubeadm's /var/lib/etcd, so a node that also runs kubeadm's etcd keeps both apart. */
  public static final String DEFAULT_DATA_DIRECTORY = "/var/lib/quorum";
  static final String ABSOLUTE_PATH_PATTERN = "^/[^\\n]*$";
  public static final String NODE_SELECTOR_MESSAGE =
      "staticPod.nodeSelector must name at least one label: every node it matches runs one member";

  @JsonPropertyDescription("Labels of the nodes that run a member, one member per node. The number of matching"
      + " nodes must be odd and from 3 to 9; a node labelled in is added as a member, one unlabelled is removed,"
      + " one at a time.")
  @Required
  @ValidationRule(value = "size(self) > 0", message = NODE_SELECTOR_MESSAGE)
  private Map<String, String> nodeSelector;

  @JsonPropertyDescription("The kubelet's static pod directory on the nodes (its staticPodPath).")
  @Default(DEFAULT_MANIFEST_DIRECTORY)
  @Pattern(ABSOLUTE_PATH_PATTERN)
  private String manifestDirectory = DEFAULT_MANIFEST_DIRECTORY;

  @JsonPropertyDescription("Host directory under which each member keeps its data, in"
      + " <dataDirectory>/<namespace>/<cluster>/<member data name>.")
  @Default(DEFAULT_DATA_DIRECTORY)
  @Pattern(ABSOLUTE_PATH_PATTERN)
  private String dataDirectory = DEFAULT_DATA_DIRECTORY;

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public String getManifestDirectory() {
    return manifestDirectory;
  }

  public void setManifestDirectory(String manifestDirectory) {
    this.manifestDirectory = manifestDirectory;
  }

  public String getDataDirectory() {
    return dataDirectory;
  }

  public void setDataDirectory(String dataDirectory) {
    this.dataDirectory = dataDirectory;
  }
}
