package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;

/** A cert-manager issuer, as a Certificate's {@code issuerRef} names it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class CertManagerIssuer {

  @JsonPropertyDescription("The issuer's name.")
  @Required
  private String name;

  @JsonPropertyDescription("Issuer (in the cluster's namespace), ClusterIssuer, or an external issuer's kind.")
  @Default("Issuer")
  private String kind = "Issuer";

  @JsonPropertyDescription("The issuer's API group.")
  @Default("cert-manager.io")
  private String group = "cert-manager.io";

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  public String getGroup() {
    return group;
  }

  public void setGroup(String group) {
    this.group = group;
  }
}
