package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The certificates a TLS cluster's members run with, and when they end. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class TlsStatus {

  @JsonPropertyDescription("The Secret the members mount (ca.crt, tls.crt, tls.key).")
  private String secretName;

  @JsonPropertyDescription("When the members' certificate expires (RFC 3339). The operator renews its own"
      + " certificates 30 days before; a Secret you keep is yours to renew.")
  private String certificateExpires;

  @JsonPropertyDescription("When the operator's CA expires (RFC 3339); it is replaced a year before, in three"
      + " rolling restarts.")
  private String caExpires;

  @JsonPropertyDescription("What a change of CA in progress waits for, if one is in progress.")
  private String rotation;

  public TlsStatus() {}

  public TlsStatus(String secretName, String certificateExpires, String caExpires, String rotation) {
    this.secretName = secretName;
    this.certificateExpires = certificateExpires;
    this.caExpires = caExpires;
    this.rotation = rotation;
  }

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }

  public String getCertificateExpires() {
    return certificateExpires;
  }

  public void setCertificateExpires(String certificateExpires) {
    this.certificateExpires = certificateExpires;
  }

  public String getCaExpires() {
    return caExpires;
  }

  public void setCaExpires(String caExpires) {
    this.caExpires = caExpires;
  }

  public String getRotation() {
    return rotation;
  }

  public void setRotation(String rotation) {
    this.rotation = rotation;
  }
}
