package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/** TLS for a cluster's peers and clients, with client certificate authentication on both. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = ClusterTls.SECRET_NAME_RULE, message = ClusterTls.SECRET_NAME_MESSAGE)
@ValidationRule(value = ClusterTls.ISSUER_RULE, message = ClusterTls.ISSUER_MESSAGE)
public class ClusterTls {

  /** Where the certificates come from. */
  public enum Certificates {
    /**
     * The operator keeps a CA (Secret {@code <cluster>-ca}) and issues the members' certificate ({@code <cluster>-tls})
     * and a client certificate for applications ({@code <cluster>-client-tls}), renewing them before they expire.
     */
    Operator,
    /**
     * A Secret the user keeps ({@link #secretName}): {@code ca.crt} (the CAs members trust), {@code tls.crt} and
     * {@code tls.key} (the members' certificate for serving and dialling peers, covering every member's DNS name),
     * as cert-manager writes them. A change to it rolls the members.
     */
    Secret,
    /**
     * A cert-manager {@code Certificate} the operator keeps ({@code <cluster>-tls}, issued by {@link #issuerRef}) for
     * the members' names; cert-manager writes and renews Secret {@code <cluster>-tls}, which the members mount.
     */
    CertManager
  }

  static final String ISSUER_RULE =
      "(has(self.certificates) && self.certificates == 'CertManager') == has(self.issuerRef)";
  public static final String ISSUER_MESSAGE =
      "issuerRef is required when certificates is CertManager (the cert-manager issuer of the members' certificate),"
          + " and only then";

  static final String SECRET_NAME_RULE =
      "(has(self.certificates) && self.certificates == 'Secret') == has(self.secretName)";
  public static final String SECRET_NAME_MESSAGE =
      "secretName is required when certificates is Secret (it names the members' Secret with ca.crt, tls.crt and"
          + " tls.key), and only then";

  @JsonPropertyDescription("Where the certificates come from: Operator (a CA and certificates the operator keeps in"
      + " Secrets <cluster>-ca, <cluster>-tls and <cluster>-client-tls, renewed before they expire), Secret (a"
      + " Secret you keep, named by secretName) or CertManager (a cert-manager Certificate from issuerRef, which"
      + " writes Secret <cluster>-tls).")
  @Default("Operator")
  private Certificates certificates = Certificates.Operator;

  @JsonPropertyDescription("certificates: Secret: the Secret in the cluster's namespace with ca.crt (the CAs members"
      + " trust), tls.crt and tls.key (the members' certificate, for server and client authentication, covering"
      + " every member's DNS name, e.g. *.<cluster>.<namespace>.svc.cluster.local, and in StaticPod mode every"
      + " member's node address). The operator uses it as its client certificate too.")
  private String secretName;

  @JsonPropertyDescription("certificates: CertManager: the cert-manager issuer of the members' certificate. Its CA"
      + " must be in the Secret's ca.crt (CA, Vault and self-signed issuers write it).")
  private CertManagerIssuer issuerRef;

  public CertManagerIssuer getIssuerRef() {
    return issuerRef;
  }

  public void setIssuerRef(CertManagerIssuer issuerRef) {
    this.issuerRef = issuerRef;
  }

  public Certificates getCertificates() {
    return certificates;
  }

  public void setCertificates(Certificates certificates) {
    this.certificates = certificates;
  }

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }
}
