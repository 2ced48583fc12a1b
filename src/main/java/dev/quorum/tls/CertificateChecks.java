package dev.quorum.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Checks on the certificates members use, for the operator's own and for those a user provides. Messages name what
 * is wrong and the names involved, never key material.
 */
public final class CertificateChecks {

  static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  static final String ANY_USAGE = "2.5.29.37.0";
  private static final int DNS_NAME = 2;
  private static final int IP_ADDRESS = 7;

  private CertificateChecks() {}

  /** Whether the key is the certificate's: something it signs verifies against the certificate's public key. */
  public static boolean keyMatches(X509Certificate certificate, PrivateKey key) {
    String algorithm = switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "ED25519", "EDDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return false;
    }
    byte[] probe = "quorum key check".getBytes(StandardCharsets.UTF_8);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** Whether one of the CAs signed the certificate. */
  public static boolean issuedByAny(X509Certificate certificate, Collection<X509Certificate> authorities) {
    return authorities.stream().anyMatch(ca -> issuedBy(certificate, ca));
  }

  public static boolean issuedBy(X509Certificate certificate, X509Certificate authority) {
    try {
      certificate.verify(authority.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** The certificate's DNS subject alternative names, as written (wildcards included). */
  public static List<String> dnsNames(X509Certificate certificate) {
    return alternativeNames(certificate, DNS_NAME);
  }

  /** The certificate's IP address subject alternative names, in their canonical form. */
  public static List<String> ipAddresses(X509Certificate certificate) {
    return alternativeNames(certificate, IP_ADDRESS).stream().map(CertificateChecks::canonicalIp).toList();
  }

  private static List<String> alternativeNames(X509Certificate certificate, int type) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives != null) {
        alternatives.stream().filter(n -> Integer.valueOf(type).equals(n.get(0)))
            .forEach(n -> names.add((String) n.get(1)));
      }
    } catch (CertificateParsingException e) {
      return List.of();
    }
    return names;
  }

  /**
   * Whether a host is an IP address literal (a static pod member's node address) rather than a DNS name: a TLS client
   * checks the one against the certificate's IP addresses, the other against its DNS names.
   */
  public static boolean isIpAddress(String host) {
    if (host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
      return Arrays.stream(host.split("\\.")).allMatch(octet -> Integer.parseInt(octet) <= 255);
    }
    // a literal with a colon is never looked up by name, so InetAddress only ever parses it
    return host.contains(":") && host.matches("[0-9a-fA-F:.]+");
  }

  /** An IP address literal in its one canonical form (IPv6 has several); a host that is not one, as it is. */
  static String canonicalIp(String ip) {
    if (!isIpAddress(ip)) {
      return ip;
    }
    try {
      return InetAddress.getByName(ip).getHostAddress();
    } catch (UnknownHostException e) {
      return ip;
    }
  }

  /**
   * The hosts a TLS client checking the host name would refuse: a DNS name not matched by the certificate's DNS names
   * (a wildcard covers exactly one label), an IP address not among its IP addresses.
   */
  public static List<String> uncovered(X509Certificate certificate, List<String> hosts) {
    List<String> sans = dnsNames(certificate).stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
    List<String> ips = ipAddresses(certificate);
    return hosts.stream().filter(host -> isIpAddress(host) ? !ips.contains(canonicalIp(host))
        : sans.stream().noneMatch(san -> matches(san, host.toLowerCase(Locale.ROOT)))).toList();
  }

  /** The certificate's names, DNS and IP, for a message. */
  public static String namesOf(X509Certificate certificate) {
    List<String> names = new ArrayList<>(dnsNames(certificate));
    names.addAll(ipAddresses(certificate));
    return String.join(", ", names);
  }

  private static boolean matches(String san, String host) {
    if (san.startsWith("*.")) {
      int dot = host.indexOf('.');
      return dot > 0 && host.substring(dot).equals(san.substring(1));
    }
    return san.equals(host);
  }

  /** Whether the certificate may serve (client and peer listeners) and authenticate as a client (peers dialling). */
  public static boolean servesAndAuthenticates(X509Certificate certificate) {
    try {
      List<String> usages = certificate.getExtendedKeyUsage();
      return usages == null || usages.contains(ANY_USAGE)
          || (usages.contains(SERVER_AUTH) && usages.contains(CLIENT_AUTH));
    } catch (CertificateParsingException e) {
      return false;
    }
  }

  /**
   * What is wrong with a Secret members are to use as it is (decoded data: {@code ca.crt}, {@code tls.crt},
   * {@code tls.key}): empty when nothing is.
   *
   * @param hosts every member's DNS name (or, for a static pod member, its node's address), which peers and the
   *     operator verify
   */
  public static List<String> memberSecretProblems(Map<String, String> decoded, List<String> hosts, Instant now) {
    List<String> problems = new ArrayList<>();
    List<String> missing = List.of(ClusterCertificates.CA_CERT, ClusterCertificates.CERT, ClusterCertificates.KEY)
        .stream().filter(k -> decoded.getOrDefault(k, "").isBlank()).toList();
    if (!missing.isEmpty()) {
      return List.of("it has no " + String.join(", no ", missing));
    }
    List<X509Certificate> authorities = read(() -> Pem.readCertificates(decoded.get(ClusterCertificates.CA_CERT)),
        ClusterCertificates.CA_CERT, problems).orElse(List.of());
    // tls.crt may hold the chain: the certificate, then the intermediate CAs that issued it
    List<X509Certificate> chain = read(() -> Pem.readCertificates(decoded.get(ClusterCertificates.CERT)),
        ClusterCertificates.CERT, problems).orElse(List.of());
    Optional<X509Certificate> certificate = chain.stream().findFirst();
    Optional<PrivateKey> key = read(() -> Pem.readPrivateKey(decoded.get(ClusterCertificates.KEY)),
        ClusterCertificates.KEY, problems);
    if (certificate.isEmpty()) {
      return problems;
    }
    X509Certificate cert = certificate.get();
    if (key.isPresent() && !keyMatches(cert, key.get())) {
      problems.add(ClusterCertificates.KEY + " is not the key of " + ClusterCertificates.CERT
          + " (or of a type not checked here: EC, RSA and Ed25519 are)");
    }
    Optional<X509Certificate> root = authorities.isEmpty() ? Optional.empty() : trustedIssuer(chain, authorities);
    if (!authorities.isEmpty() && root.isEmpty()) {
      problems.add(ClusterCertificates.CERT + " (issuer " + cert.getIssuerX500Principal().getName()
          + ") was not issued by a CA in " + ClusterCertificates.CA_CERT
          + (chain.size() > 1 ? " (nor through the CAs after it in " + ClusterCertificates.CERT + ")" : ""));
    }
    root.filter(ca -> !ca.getNotAfter().toInstant().isAfter(now)).ifPresent(ca -> problems.add("the CA in "
        + ClusterCertificates.CA_CERT + " that issued " + ClusterCertificates.CERT + " ("
        + ca.getSubjectX500Principal().getName() + ") expired at " + ca.getNotAfter().toInstant()));
    if (!cert.getNotAfter().toInstant().isAfter(now)) {
      problems.add(ClusterCertificates.CERT + " expired at " + cert.getNotAfter().toInstant());
    } else if (cert.getNotBefore().toInstant().isAfter(now)) {
      problems.add(ClusterCertificates.CERT + " is valid only from " + cert.getNotBefore().toInstant());
    }
    List<String> uncovered = uncovered(cert, hosts);
    if (!uncovered.isEmpty()) {
      problems.add(ClusterCertificates.CERT + " does not cover " + String.join(", ", uncovered)
          + " (its names: " + namesOf(cert) + ")");
    }
    if (!servesAndAuthenticates(cert)) {
      problems.add(ClusterCertificates.CERT + " is not for both server and client authentication (members use it"
          + " to serve and to dial their peers)");
    }
    return problems;
  }

  /** The CA of {@code trusted} the chain leads to: the certificate's issuer, or its intermediates' in turn. */
  private static Optional<X509Certificate> trustedIssuer(List<X509Certificate> chain,
      List<X509Certificate> trusted) {
    X509Certificate current = chain.get(0);
    for (int next = 1; ; next++) {
      X509Certificate issued = current;
      Optional<X509Certificate> root = trusted.stream().filter(ca -> issuedBy(issued, ca)).findFirst();
      if (root.isPresent() || next >= chain.size() || !issuedBy(current, chain.get(next))) {
        return root;
      }
      current = chain.get(next);
    }
  }

  private interface Reading<T> {
    T read();
  }

  private static <T> Optional<T> read(Reading<T> reading, String key, List<String> problems) {
    try {
      return Optional.of(reading.read());
    } catch (IllegalArgumentException e) {
      problems.add(key + " cannot be read: " + e.getMessage());
      return Optional.empty();
    }
  }
}
