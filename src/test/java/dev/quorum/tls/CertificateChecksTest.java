package dev.quorum.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CertificateChecksTest {

  static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");
  static final List<String> HOSTS = List.of("demo-0.demo.default.svc.cluster.local",
      "demo-1.demo.default.svc.cluster.local");
  static final CertificateAuthority CA = CertificateAuthority.generate("users-ca", Duration.ofDays(100), NOW);

  @Test
  void aSecretAsCertManagerWritesItIsUsable() {
    assertThat(CertificateChecks.memberSecretProblems(secret(CA, List.of("*.demo.default.svc.cluster.local"),
        CertificateAuthority.Usage.SERVER_AND_CLIENT, Duration.ofDays(30)), HOSTS, NOW)).isEmpty();
  }

  /** Node addresses are told from names by their form alone: nothing is ever looked up by name. */
  @Test
  void ipAddressesAreToldFromNamesAndComparedInOneForm() {
    assertThat(List.of("10.0.0.1", "127.0.0.1", "255.255.255.255", "::1", "fd00::a", "::ffff:10.0.0.1"))
        .allMatch(CertificateChecks::isIpAddress);
    assertThat(List.of("999.1.1.1", "10.0.0", "10.0.0.1.5", "node-1", "a.b.c.d", "demo.svc", ""))
        .noneMatch(CertificateChecks::isIpAddress);
    assertThat(CertificateChecks.canonicalIp("fd00:0:0:0:0:0:0:a")).isEqualTo(CertificateChecks.canonicalIp("fd00::a"));
    assertThat(CertificateChecks.canonicalIp("node-1")).isEqualTo("node-1");
  }

  @Test
  void eachProblemIsNamedWithoutKeyMaterial() {
    Map<String, String> missing = secret(CA, List.of("*.demo.default.svc.cluster.local"),
        CertificateAuthority.Usage.SERVER_AND_CLIENT, Duration.ofDays(30));
    missing.remove("tls.key");
    assertThat(CertificateChecks.memberSecretProblems(missing, HOSTS, NOW)).containsExactly("it has no tls.key");

    Map<String, String> narrow = secret(CA, List.of("demo-0.demo.default.svc.cluster.local"),
        CertificateAuthority.Usage.SERVER_AND_CLIENT, Duration.ofDays(30));
    assertThat(CertificateChecks.memberSecretProblems(narrow, HOSTS, NOW)).singleElement().asString()
        .contains("does not cover demo-1.demo.default.svc.cluster.local");

    Map<String, String> expiring = secret(CA, List.of("*.demo.default.svc.cluster.local"),
        CertificateAuthority.Usage.SERVER_AND_CLIENT, Duration.ofDays(1));
    assertThat(CertificateChecks.memberSecretProblems(expiring, HOSTS, NOW.plus(Duration.ofDays(2))))
        .singleElement().asString().contains("tls.crt expired at");

    Map<String, String> serverOnly = secret(CA, List.of("*.demo.default.svc.cluster.local"),
        CertificateAuthority.Usage.SERVER, Duration.ofDays(30));
    assertThat(CertificateChecks.memberSecretProblems(serverOnly, HOSTS, NOW)).singleElement().asString()
        .contains("not for both server and client authentication");

    Map<String, String> wrongKey = secret(CA, List.of("*.demo.default.svc.cluster.local"),
        CertificateAuthority.Usage.SERVER_AND_CLIENT, Duration.ofDays(30));
    String otherKey = Pem.privateKey(CA.issue("x", List.of(), List.of(), Duration.ofDays(1), NOW,
        CertificateAuthority.Usage.CLIENT).key());
    wrongKey.put("tls.key", otherKey);
    assertThat(CertificateChecks.memberSecretProblems(wrongKey, HOSTS, NOW)).singleElement().asString()
        .startsWith("tls.key is not the key of tls.crt").doesNotContain(otherKey);

    Map<String, String> foreign = secret(CA, List.of("*.demo.default.svc.cluster.local"),
        CertificateAuthority.Usage.SERVER_AND_CLIENT, Duration.ofDays(30));
    foreign.put("ca.crt", Pem.certificate(CertificateAuthority.generate("other", Duration.ofDays(9), NOW).certificate()));
    assertThat(CertificateChecks.memberSecretProblems(foreign, HOSTS, NOW)).singleElement().asString()
        .contains("was not issued by a CA in ca.crt");

    Map<String, String> garbage = secret(CA, List.of("*.demo.default.svc.cluster.local"),
        CertificateAuthority.Usage.SERVER_AND_CLIENT, Duration.ofDays(30));
    garbage.put("tls.key", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
    assertThat(CertificateChecks.memberSecretProblems(garbage, HOSTS, NOW)).singleElement().asString()
        .startsWith("tls.key cannot be read").doesNotContain("not a key");
  }

  @Test
  void aChainThroughAnIntermediateLeadsToTheCaAndAnExpiredIssuerIsNamed() throws Exception {
    CertificateAuthority root = CertificateAuthority.generate("root", Duration.ofDays(100), NOW);
    CertificateAuthority intermediate = intermediateOf(root);
    Map<String, String> chained = secret(intermediate, List.of("*.demo.default.svc.cluster.local"),
        CertificateAuthority.Usage.SERVER_AND_CLIENT, Duration.ofDays(30));
    chained.put("ca.crt", Pem.certificate(root.certificate()));
    assertThat(CertificateChecks.memberSecretProblems(chained, HOSTS, NOW)).singleElement().asString()
        .contains("was not issued by a CA in ca.crt");
    chained.put("tls.crt", chained.get("tls.crt") + Pem.certificate(intermediate.certificate()));
    assertThat(CertificateChecks.memberSecretProblems(chained, HOSTS, NOW)).isEmpty();

    Map<String, String> expiredCa = secret(CertificateAuthority.generate("short", Duration.ofDays(1), NOW),
        List.of("*.demo.default.svc.cluster.local"), CertificateAuthority.Usage.SERVER_AND_CLIENT, Duration.ofDays(30));
    assertThat(CertificateChecks.memberSecretProblems(expiredCa, HOSTS, NOW.plus(Duration.ofDays(2))))
        .anySatisfy(p -> assertThat(p).contains("the CA in ca.crt that issued tls.crt (CN=short) expired at"));
  }

  /** A CA whose certificate the root signed, as an intermediate of cert-manager's CA issuer would be. */
  private static CertificateAuthority intermediateOf(CertificateAuthority root) throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
    generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    java.security.KeyPair pair = generator.generateKeyPair();
    var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(root.certificate(),
        java.math.BigInteger.valueOf(42), java.util.Date.from(NOW.minus(Duration.ofMinutes(5))),
        java.util.Date.from(NOW.plus(Duration.ofDays(50))), new javax.security.auth.x500.X500Principal("CN=intermediate"),
        pair.getPublic())
        .addExtension(org.bouncycastle.asn1.x509.Extension.basicConstraints, true,
            new org.bouncycastle.asn1.x509.BasicConstraints(0))
        .addExtension(org.bouncycastle.asn1.x509.Extension.keyUsage, true,
            new org.bouncycastle.asn1.x509.KeyUsage(org.bouncycastle.asn1.x509.KeyUsage.keyCertSign));
    var certificate = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(builder.build(
        new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(root.key())));
    return CertificateAuthority.of(Pem.certificate(certificate), Pem.privateKey(pair.getPrivate()));
  }

  @Test
  void aWildcardCoversOneLabelOnly() {
    var cert = CA.issue("w", List.of("*.demo.default.svc"), List.of(), Duration.ofDays(1), NOW,
        CertificateAuthority.Usage.SERVER).certificate();
    assertThat(CertificateChecks.uncovered(cert, List.of("a.demo.default.svc", "a.b.demo.default.svc",
        "demo.default.svc", "a.demo.default.svc.cluster.local")))
        .containsExactly("a.b.demo.default.svc", "demo.default.svc", "a.demo.default.svc.cluster.local");
  }

  private static Map<String, String> secret(CertificateAuthority ca, List<String> names,
      CertificateAuthority.Usage usage, Duration validity) {
    CertificateAuthority.Issued issued = ca.issue("member", names, List.of(), validity, NOW, usage);
    Map<String, String> data = new LinkedHashMap<>();
    data.put("ca.crt", Pem.certificate(ca.certificate()));
    data.put("tls.crt", Pem.certificate(issued.certificate()));
    data.put("tls.key", Pem.privateKey(issued.key()));
    return data;
  }
}
