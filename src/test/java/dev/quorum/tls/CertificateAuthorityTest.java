package dev.quorum.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {

  static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");

  @Test
  void aGeneratedCaIsASelfSignedCaForItsValidity() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("demo-ca", Duration.ofDays(3650), NOW);
    X509Certificate certificate = ca.certificate();

    certificate.verify(certificate.getPublicKey());
    assertThat(certificate.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=demo-ca");
    assertThat(certificate.getNotBefore().toInstant()).isEqualTo(NOW.minus(CertificateAuthority.BACKDATE));
    assertThat(certificate.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(3650)));
    assertThat(certificate.getKeyUsage()[5]).as("keyCertSign").isTrue();
  }

  @Test
  void anIssuedCertificateChainsToTheCaAndNamesItsHosts() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("demo-ca", Duration.ofDays(3650), NOW);
    CertificateAuthority.Issued server = ca.issue("demo-server",
        List.of("*.demo.default.svc", "*.demo.default.svc.cluster.local", "localhost"), List.of("127.0.0.1"),
        Duration.ofDays(365), NOW, CertificateAuthority.Usage.SERVER);
    X509Certificate certificate = server.certificate();

    certificate.verify(ca.certificate().getPublicKey());
    PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
    parameters.setRevocationEnabled(false);
    parameters.setDate(Date.from(NOW.plus(Duration.ofDays(1))));
    CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
        .generateCertPath(List.of(certificate)), parameters);

    assertThat(certificate.getBasicConstraints()).as("not a CA").isEqualTo(-1);
    assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(certificate.getSubjectAlternativeNames()).extracting(name -> (Object) name.get(1))
        .containsExactly((Object) "*.demo.default.svc", "*.demo.default.svc.cluster.local", "localhost", "127.0.0.1");
    assertThat(certificate.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());

    assertThat(ca.issue("peer", List.of("a"), List.of(), Duration.ofDays(1), NOW,
        CertificateAuthority.Usage.SERVER_AND_CLIENT).certificate().getExtendedKeyUsage())
        .containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
  }

  @Test
  void aCaReadBackFromPemIssuesAndAMismatchedKeyIsRefusedWithoutShowingIt() {
    CertificateAuthority ca = CertificateAuthority.generate("demo-ca", Duration.ofDays(3650), NOW);
    String certificatePem = Pem.certificate(ca.certificate());
    String keyPem = Pem.privateKey(ca.key());
    assertThat(keyPem).startsWith("-----BEGIN PRIVATE KEY-----");

    CertificateAuthority read = CertificateAuthority.of(certificatePem, keyPem);
    assertThat(read.certificate()).isEqualTo(ca.certificate());

    String otherKey = Pem.privateKey(CertificateAuthority.generate("other", Duration.ofDays(1), NOW).key());
    assertThatThrownBy(() -> CertificateAuthority.of(certificatePem, otherKey))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the private key does not belong to the CA certificate");
    String leafPem = Pem.certificate(ca.issue("leaf", List.of(), List.of(), Duration.ofDays(1), NOW,
        CertificateAuthority.Usage.CLIENT).certificate());
    assertThatThrownBy(() -> CertificateAuthority.of(leafPem, keyPem)).hasMessageContaining("not a CA certificate");
    assertThatThrownBy(() -> Pem.readPrivateKey("-----BEGIN PRIVATE KEY-----\nnot base64 at all\n"))
        .isInstanceOf(IllegalArgumentException.class).message().doesNotContain("not base64");
    assertThatThrownBy(() -> Pem.readCertificate("")).hasMessageContaining("empty");
  }
}
