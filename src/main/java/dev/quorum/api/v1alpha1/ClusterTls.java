package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** TLS for a cluster's peers and clients, with client certificate authentication on both. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ClusterTls {

  /** Where the certificates come from. */
  public enum Certificates {
    /**
     * The operator keeps a CA (Secret {@code <cluster>-ca}) and issues the members' certificate ({@code <cluster>-tls})
     * and a client certificate for applications ({@code <cluster>-client-tls}), renewing them before they expire.
     */
    Operator
  }

  @JsonPropertyDescription("Where the certificates come from: Operator (a CA and certificates the operator keeps in"
      + " Secrets <cluster>-ca, <cluster>-tls and <cluster>-client-tls).")
  @Default("Operator")
  private Certificates certificates = Certificates.Operator;

  public Certificates getCertificates() {
    return certificates;
  }

  public void setCertificates(Certificates certificates) {
    this.certificates = certificates;
  }
}
