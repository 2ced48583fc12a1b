package dev.quorum.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Pure: the contents of a TLS cluster's three Secrets, from what they hold now. What is there and still good is kept
 * (so applying them again changes nothing); what is missing, expires within {@link #RENEW_BEFORE}, was not issued by
 * the CA or does not cover the members' names is issued anew. A CA Secret that cannot be read is an error: replacing
 * the CA would lock the running members out.
 */
public final class ClusterCertificates {

  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(365);
  public static final Duration RENEW_BEFORE = Duration.ofDays(30);
  public static final String CA_CERT = "ca.crt";
  public static final String CA_KEY = "ca.key";
  public static final String CERT = "tls.crt";
  public static final String KEY = "tls.key";
  /** The members' certificate also names the loopback address: a client on the member's own pod. */
  static final List<String> MEMBER_IPS = List.of("127.0.0.1");

  private ClusterCertificates() {}

  /**
   * The Secrets' data (keys to base64 values, as a Secret's {@code data}) and the CA.
   *
   * @param member the members' server and peer certificate, with the CA certificate
   * @param client a client certificate for applications, with the CA certificate
   */
  public record Desired(Map<String, String> ca, Map<String, String> member, Map<String, String> client,
      CertificateAuthority authority) {}

  /**
   * @param caSecret the CA Secret's data, when it exists
   * @throws IllegalArgumentException when the CA Secret exists but holds no usable CA; the message names what is
   *     wrong, never the key
   */
  public static Desired desired(String cluster, List<String> memberNames, Optional<Map<String, String>> caSecret,
      Optional<Map<String, String>> memberSecret, Optional<Map<String, String>> clientSecret, Instant now) {
    CertificateAuthority ca = caSecret.map(ClusterCertificates::readCa)
        .orElseGet(() -> CertificateAuthority.generate(cluster + "-ca", CA_VALIDITY, now));
    String caPem = Pem.certificate(ca.certificate());
    Map<String, String> caData = caSecret.orElseGet(() -> data(Map.of(CA_CERT, caPem, CA_KEY, Pem.privateKey(ca.key()))));
    Map<String, String> member = kept(memberSecret, ca, memberNames, now).orElseGet(() -> issued(ca,
        ca.issue(cluster, memberNames, MEMBER_IPS, CERTIFICATE_VALIDITY, now,
            CertificateAuthority.Usage.SERVER_AND_CLIENT), caPem));
    Map<String, String> client = kept(clientSecret, ca, List.of(), now).orElseGet(() -> issued(ca,
        ca.issue(cluster + "-client", List.of(), List.of(), CERTIFICATE_VALIDITY, now,
            CertificateAuthority.Usage.CLIENT), caPem));
    return new Desired(caData, member, client, ca);
  }

  private static CertificateAuthority readCa(Map<String, String> data) {
    Map<String, String> decoded = decoded(data);
    if (!decoded.containsKey(CA_CERT) || !decoded.containsKey(CA_KEY)) {
      throw new IllegalArgumentException("needs the keys " + CA_CERT + " and " + CA_KEY);
    }
    return CertificateAuthority.of(decoded.get(CA_CERT), decoded.get(CA_KEY));
  }

  /** The Secret's data as it is, when its certificate is the CA's, covers the names and is not due for renewal. */
  private static Optional<Map<String, String>> kept(Optional<Map<String, String>> secret, CertificateAuthority ca,
      List<String> names, Instant now) {
    return secret.filter(data -> {
      Map<String, String> decoded = decoded(data);
      try {
        X509Certificate certificate = Pem.readCertificate(decoded.get(CERT));
        Pem.readPrivateKey(decoded.get(KEY));
        certificate.verify(ca.certificate().getPublicKey());
        return Pem.readCertificate(decoded.get(CA_CERT)).equals(ca.certificate())
            && certificate.getNotAfter().toInstant().isAfter(now.plus(RENEW_BEFORE))
            && dnsNames(certificate).containsAll(names);
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        return false;
      }
    });
  }

  private static Set<String> dnsNames(X509Certificate certificate) throws CertificateParsingException {
    Set<String> names = new HashSet<>();
    Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
    if (alternatives != null) {
      alternatives.stream().filter(n -> Integer.valueOf(2).equals(n.get(0))).forEach(n -> names.add((String) n.get(1)));
    }
    return names;
  }

  private static Map<String, String> issued(CertificateAuthority ca, CertificateAuthority.Issued issued, String caPem) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(CA_CERT, caPem);
    data.put(CERT, Pem.certificate(issued.certificate()));
    data.put(KEY, Pem.privateKey(issued.key()));
    return data(data);
  }

  private static Map<String, String> data(Map<String, String> plain) {
    Map<String, String> data = new LinkedHashMap<>();
    plain.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return data;
  }

  /** A Secret's data decoded; a value that is not base64 reads as empty. */
  public static Map<String, String> decoded(Map<String, String> data) {
    Map<String, String> plain = new LinkedHashMap<>();
    data.forEach((k, v) -> {
      try {
        plain.put(k, new String(Base64.getDecoder().decode(v == null ? "" : v), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        plain.put(k, "");
      }
    });
    return plain;
  }
}
