package dev.quorum.tls;

import dev.quorum.model.ContentHash;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pure: the contents of a TLS cluster's three Secrets, from what they hold now. What is there and still good is kept
 * (so applying them again changes nothing); what is missing, expires within {@link #RENEW_BEFORE}, was not issued by
 * the CA or does not cover the members' names is issued anew.
 *
 * <p>A new CA (the CA Secret deleted, or its CA due within {@link #CA_RENEW_BEFORE}) takes three steps, each a
 * rolling restart that keeps quorum, because etcd reads the CAs it trusts only when it starts: the members first
 * trust the new CA beside the old one, then (once every member runs with that) get certificates of the new CA, and
 * last (once every member runs those) stop trusting the old CA. A renewed certificate of the same CA is one roll.
 * A CA Secret that exists but cannot be read is an error: guessing would lock the running members out.
 */
public final class ClusterCertificates {

  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final Duration CA_RENEW_BEFORE = Duration.ofDays(365);
  public static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(365);
  public static final Duration RENEW_BEFORE = Duration.ofDays(30);
  public static final String CA_CERT = "ca.crt";
  public static final String CA_KEY = "ca.key";
  public static final String CERT = "tls.crt";
  public static final String KEY = "tls.key";

  /**
   * The names a certificate is to cover: DNS names, and IP addresses (the loopback address, for a client on the
   * member's own pod; a static pod member's node address, which is where it is reached).
   */
  public record Names(List<String> dns, List<String> ips) {
    public static final Names NONE = new Names(List.of(), List.of());
  }

  private ClusterCertificates() {}

  /**
   * The Secrets' data (keys to base64 values, as a Secret's {@code data}) and what they mean.
   *
   * @param member the members' server and peer certificate, with the CAs they trust
   * @param client a client certificate for applications, with the CAs the members trust
   * @param rotation what a CA rotation in progress waits for, if one is in progress
   */
  public record Desired(Map<String, String> ca, Map<String, String> member, Map<String, String> client,
      CertificateAuthority authority, Instant certificateExpires, Optional<String> rotation) {

    /** Never the Secrets' contents: they hold keys. */
    @Override
    public String toString() {
      return "Desired[certificateExpires=" + certificateExpires + ", rotation="
          + rotation + "]";
    }
  }

  /**
   * @param memberNames the names the members' certificate is to cover
   * @param caSecret the CA Secret's data, when it exists
   * @param membersCurrent whether every member's pod started with the members' Secret as it is now: a step of a CA
   *     rotation waits for it
   * @throws IllegalArgumentException when the CA Secret exists but holds no usable CA; the message names what is
   *     wrong, never the key
   */
  public static Desired desired(String cluster, Names memberNames, Optional<Map<String, String>> caSecret,
      Optional<Map<String, String>> memberSecret, Optional<Map<String, String>> clientSecret, boolean membersCurrent,
      Instant now) {
    Optional<CertificateAuthority> current = caSecret.map(ClusterCertificates::readCa)
        .filter(ca -> ca.certificate().getNotAfter().toInstant().isAfter(now.plus(CA_RENEW_BEFORE)));
    CertificateAuthority ca = current
        .orElseGet(() -> CertificateAuthority.generate(cluster + "-ca", CA_VALIDITY, now));
    Map<String, String> caData = current.isPresent() ? caSecret.get()
        : data(Map.of(CA_CERT, Pem.certificate(ca.certificate()), CA_KEY, Pem.privateKey(ca.key())));

    Held member = Held.of(memberSecret, now);
    Held client = Held.of(clientSecret, now);
    X509Certificate signer = ca.certificate();
    List<X509Certificate> trusted = new ArrayList<>();
    trusted.add(signer);
    member.trusted().stream().filter(c -> !c.equals(signer)).forEach(trusted::add);
    boolean trustsCa = member.trusted().contains(signer);

    Optional<Pair> memberKept = member.pair().filter(p -> kept(p, ca, trusted, trustsCa, memberNames,
        membersCurrent, now));
    Pair memberPair = memberKept.orElseGet(() -> Pair.of(ca.issue(cluster, memberNames.dns(), memberNames.ips(),
        CERTIFICATE_VALIDITY, now, CertificateAuthority.Usage.SERVER_AND_CLIENT)));
    Optional<Pair> clientKept = client.pair().filter(p -> kept(p, ca, trusted, trustsCa, Names.NONE,
        membersCurrent, now));
    Pair clientPair = clientKept.orElseGet(() -> Pair.of(ca.issue(cluster + "-client", List.of(), List.of(),
        CERTIFICATE_VALIDITY, now, CertificateAuthority.Usage.CLIENT)));

    // the old CAs go once every member runs with a certificate of the new one
    boolean onlyNewCertificates = memberKept.isPresent()
        && CertificateChecks.issuedBy(memberPair.certificate(), signer) && membersCurrent;
    List<X509Certificate> bundle = onlyNewCertificates ? List.of(signer) : trusted;
    Map<String, String> memberData = secretData(bundle, memberPair, member);
    Optional<String> rotation = Optional.empty();
    if (bundle.size() > 1) {
      rotation = Optional.of(!trustsCa ? "a new CA: the members restart to trust it beside the old one"
          : !CertificateChecks.issuedBy(memberPair.certificate(), signer)
          ? "a new CA: waiting for every member to trust it before it issues their certificate"
          : "a new CA: the members restart with its certificate, then stop trusting the old CA");
    }
    return new Desired(caData, memberData, secretData(bundle, clientPair, client), ca,
        memberPair.certificate().getNotAfter().toInstant(), rotation);
  }

  /** Tells the members' Secret contents apart by its certificates (whose keys change with them), not its key. */
  public static String revision(Map<String, String> data) {
    Map<String, String> decoded = decoded(data);
    return ContentHash.of(decoded.getOrDefault(CA_CERT, "") + decoded.getOrDefault(CERT, ""));
  }

  /**
   * Tells apart what members trust and whose certificate they present, not the certificate itself: the CAs, and the
   * issuer of the certificate. etcd reads the CAs only when it starts, and a certificate from another issuer is a step
   * of a CA change; a certificate renewed by the same issuer (for more names, say) is taken at the next handshake from
   * files that change under a running member, as the node agent keeps them in StaticPod mode.
   */
  public static String trustRevision(Map<String, String> data) {
    Map<String, String> decoded = decoded(data);
    String issuer;
    try {
      issuer = Pem.readCertificate(decoded.get(CERT)).getIssuerX500Principal().getName();
    } catch (IllegalArgumentException e) {
      issuer = decoded.getOrDefault(CERT, "");
    }
    return ContentHash.of(decoded.getOrDefault(CA_CERT, "") + "\n" + issuer);
  }

  private static CertificateAuthority readCa(Map<String, String> data) {
    Map<String, String> decoded = decoded(data);
    if (!decoded.containsKey(CA_CERT) || !decoded.containsKey(CA_KEY)) {
      throw new IllegalArgumentException("needs the keys " + CA_CERT + " and " + CA_KEY);
    }
    return CertificateAuthority.of(decoded.get(CA_CERT), decoded.get(CA_KEY));
  }

  /**
   * Whether a certificate stays: one of the CA's while it is good (a renewal from the same CA is taken at once:
   * every member trusts it); one of an older CA while the members do not all trust the new CA yet, or are not all
   * running with that yet, and it is still valid.
   */
  private static boolean kept(Pair pair, CertificateAuthority ca, List<X509Certificate> trusted, boolean trustsCa,
      Names names, boolean membersCurrent, Instant now) {
    if (CertificateChecks.issuedBy(pair.certificate(), ca.certificate())) {
      return pair.certificate().getNotAfter().toInstant().isAfter(now.plus(RENEW_BEFORE))
          && covers(pair.certificate(), names);
    }
    return (!trustsCa || !membersCurrent) && usable(pair, trusted, now);
  }

  /** Whether the certificate names each of these exactly, as the operator issues them. */
  private static boolean covers(X509Certificate certificate, Names names) {
    return CertificateChecks.dnsNames(certificate).containsAll(names.dns()) && CertificateChecks
        .ipAddresses(certificate).containsAll(names.ips().stream().map(CertificateChecks::canonicalIp).toList());
  }

  /** Still valid and issued by a trusted CA. */
  private static boolean usable(Pair pair, List<X509Certificate> trusted, Instant now) {
    return CertificateChecks.issuedByAny(pair.certificate(), trusted)
        && pair.certificate().getNotAfter().toInstant().isAfter(now);
  }

  /** A certificate with its key, and their PEM as the Secret holds them (kept as is, so nothing changes). */
  private record Pair(X509Certificate certificate, String certificatePem, String keyPem) {
    static Pair of(CertificateAuthority.Issued issued) {
      return new Pair(issued.certificate(), Pem.certificate(issued.certificate()), Pem.privateKey(issued.key()));
    }

    /** Never the key. */
    @Override
    public String toString() {
      return "Pair[" + certificate.getSubjectX500Principal() + ", until " + certificate.getNotAfter().toInstant() + "]";
    }
  }

  /** What a Secret holds: the CAs it trusts (unexpired) and its certificate with its key, if they are usable. */
  private record Held(List<X509Certificate> trusted, String trustedPem, Optional<Pair> pair) {
    static Held of(Optional<Map<String, String>> secret, Instant now) {
      Map<String, String> decoded = secret.map(ClusterCertificates::decoded).orElse(Map.of());
      List<X509Certificate> trusted = List.of();
      try {
        trusted = Pem.readCertificates(decoded.get(CA_CERT)).stream()
            .filter(c -> c.getNotAfter().toInstant().isAfter(now)).toList();
      } catch (IllegalArgumentException e) {
        // nothing trusted: issued anew
      }
      Optional<Pair> pair = Optional.empty();
      try {
        X509Certificate certificate = Pem.readCertificate(decoded.get(CERT));
        PrivateKey key = Pem.readPrivateKey(decoded.get(KEY));
        if (CertificateChecks.keyMatches(certificate, key)) {
          pair = Optional.of(new Pair(certificate, decoded.get(CERT), decoded.get(KEY)));
        }
      } catch (IllegalArgumentException e) {
        // no usable certificate: issued anew
      }
      return new Held(trusted, decoded.getOrDefault(CA_CERT, ""), pair);
    }
  }

  /** The bundle as the Secret holds it when it trusts the same CAs in the same order, so nothing changes. */
  private static Map<String, String> secretData(List<X509Certificate> bundle, Pair pair, Held held) {
    Map<String, String> plain = new LinkedHashMap<>();
    plain.put(CA_CERT, bundle.equals(held.trusted()) ? held.trustedPem() : Pem.certificates(bundle));
    plain.put(CERT, pair.certificatePem());
    plain.put(KEY, pair.keyPem());
    return data(plain);
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
