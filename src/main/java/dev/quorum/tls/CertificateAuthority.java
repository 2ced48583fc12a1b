package dev.quorum.tls;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority the operator keeps for a cluster: an ECDSA P-256 key and a self-signed CA certificate,
 * which issues the members' server and peer certificates and the operator's client certificate. Bouncy Castle builds
 * the certificates; the JDK's providers make the keys and sign.
 */
public final class CertificateAuthority {

  /** A certificate is valid from a little before it was issued: clocks of members and clients differ. */
  static final Duration BACKDATE = Duration.ofMinutes(5);
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey key;

  private CertificateAuthority(X509Certificate certificate, PrivateKey key) {
    this.certificate = certificate;
    this.key = key;
  }

  /** A new CA named {@code commonName}, valid for {@code validity} from {@code now}. */
  public static CertificateAuthority generate(String commonName, Duration validity, Instant now) {
    KeyPair pair = keyPair();
    X500Name name = name(commonName);
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = builder(name, name, pair, validity, now)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false,
              extensions.createSubjectKeyIdentifier(pair.getPublic()));
      return new CertificateAuthority(sign(builder, pair.getPrivate()), pair.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("generating a CA failed", e);
    }
  }

  /** The CA a Secret holds; {@link IllegalArgumentException} when it is not one or the key does not match. */
  public static CertificateAuthority of(String certificatePem, String keyPem) {
    X509Certificate certificate = Pem.readCertificate(certificatePem);
    PrivateKey key = Pem.readPrivateKey(keyPem);
    if (certificate.getBasicConstraints() < 0) {
      throw new IllegalArgumentException("the certificate is not a CA certificate (no basicConstraints CA:true)");
    }
    CertificateAuthority ca = new CertificateAuthority(certificate, key);
    try {
      // the pair matches when a certificate it signs verifies against the certificate's key
      ca.issue("key-check", List.of(), List.of(), Duration.ofMinutes(1), Instant.now(), Usage.CLIENT).certificate()
          .verify(certificate.getPublicKey());
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("the private key does not belong to the CA certificate");
    }
    return ca;
  }

  /** What a certificate is for: serving (members' client and peer listeners) and/or authenticating as a client. */
  public enum Usage {
    SERVER(KeyPurposeId.id_kp_serverAuth),
    CLIENT(KeyPurposeId.id_kp_clientAuth),
    /** A member's peer certificate: it serves its peers and dials them. */
    SERVER_AND_CLIENT(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);

    private final KeyPurposeId[] purposes;

    Usage(KeyPurposeId... purposes) {
      this.purposes = purposes;
    }
  }

  /** A certificate this CA issued, with its key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {

    /** Never the key. */
    @Override
    public String toString() {
      return "Issued[" + certificate.getSubjectX500Principal() + ", until " + certificate.getNotAfter().toInstant()
          + "]";
    }
  }

  /**
   * Issues a certificate for {@code commonName} with these DNS names and IP addresses as subject alternative names.
   */
  public Issued issue(String commonName, List<String> dnsNames, List<String> ipAddresses, Duration validity,
      Instant now, Usage usage) {
    KeyPair pair = keyPair();
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
    for (String ip : ipAddresses) {
      names.add(new GeneralName(GeneralName.iPAddress, ipLiteral(ip)));
    }
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = builder(name(commonName), issuerName(), pair, validity, now)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage.purposes))
          .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(pair.getPublic()))
          .addExtension(Extension.authorityKeyIdentifier, false,
              extensions.createAuthorityKeyIdentifier(certificate));
      if (!names.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      return new Issued(sign(builder, key), pair.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("issuing a certificate for " + commonName + " failed", e);
    }
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public PrivateKey key() {
    return key;
  }

  private X500Name issuerName() {
    return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
  }

  private static X509v3CertificateBuilder builder(X500Name subject, X500Name issuer, KeyPair pair, Duration validity,
      Instant now) {
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM).add(BigInteger.ONE),
        Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), subject, pair.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK's EC provider is missing", e);
    }
  }

  /** An IP literal, never a name to resolve. */
  private static String ipLiteral(String ip) {
    if (!CertificateChecks.isIpAddress(ip)) {
      throw new IllegalArgumentException("not an IP address: " + ip);
    }
    try {
      return InetAddress.getByName(ip).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + ip, e);
    }
  }
}
