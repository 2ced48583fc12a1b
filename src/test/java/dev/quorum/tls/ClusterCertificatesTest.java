package dev.quorum.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterCertificatesTest {

  static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");
  static final ClusterCertificates.Names NAMES = new ClusterCertificates.Names(
      List.of("*.demo.default.svc", "demo-client.default.svc", "localhost"), List.of("127.0.0.1"));

  @Test
  void aNewClusterGetsACaAMemberCertificateAndAClientCertificate() throws Exception {
    ClusterCertificates.Desired desired = fresh("demo");

    X509Certificate member = certificate(desired.member());
    member.verify(desired.authority().certificate().getPublicKey());
    assertThat(member.getSubjectAlternativeNames()).extracting(n -> (Object) n.get(1))
        .containsExactly("*.demo.default.svc", "demo-client.default.svc", "localhost", "127.0.0.1");
    assertThat(member.getNotAfter().toInstant()).isEqualTo(NOW.plus(ClusterCertificates.CERTIFICATE_VALIDITY));
    assertThat(desired.certificateExpires()).isEqualTo(member.getNotAfter().toInstant());
    assertThat(certificate(desired.client()).getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(ClusterCertificates.decoded(desired.member())).containsOnlyKeys("ca.crt", "tls.crt", "tls.key");
    assertThat(ClusterCertificates.decoded(desired.ca())).containsOnlyKeys("ca.crt", "ca.key");
    assertThat(trusted(desired.member())).containsExactly(desired.authority().certificate());
    assertThat(desired.rotation()).isEmpty();
  }

  @Test
  void whatIsStillGoodIsKeptSoApplyingAgainChangesNothing() {
    ClusterCertificates.Desired first = fresh("demo");
    ClusterCertificates.Desired again = next(first, true, NOW.plus(Duration.ofDays(100)));

    assertThat(again.ca()).isEqualTo(first.ca());
    assertThat(again.member()).isEqualTo(first.member());
    assertThat(again.client()).isEqualTo(first.client());
    assertThat(ClusterCertificates.revision(again.member())).isEqualTo(ClusterCertificates.revision(first.member()));
  }

  @Test
  void aCertificateDueForRenewalOrMissingANameOrFromAnotherCaIsIssuedAnew()
      throws Exception {
    ClusterCertificates.Desired first = fresh("demo");
    Instant late = NOW.plus(ClusterCertificates.CERTIFICATE_VALIDITY).minus(Duration.ofDays(10));
    // the same CA's renewal does not wait for a roll under way: every member trusts it already
    assertThat(next(first, false, late).member()).isNotEqualTo(first.member());
    ClusterCertificates.Desired renewed = next(first, true, late);
    assertThat(renewed.ca()).isEqualTo(first.ca());
    assertThat(certificate(renewed.member()).getNotAfter().toInstant())
        .isEqualTo(late.plus(ClusterCertificates.CERTIFICATE_VALIDITY));
    assertThat(renewed.client()).isNotEqualTo(first.client());
    assertThat(ClusterCertificates.revision(renewed.member()))
        .isNotEqualTo(ClusterCertificates.revision(first.member()));

    List<String> more = new ArrayList<>(NAMES.dns());
    more.add("demo-client");
    assertThat(ClusterCertificates.desired("demo", new ClusterCertificates.Names(more, NAMES.ips()),
        Optional.of(first.ca()), Optional.of(first.member()), Optional.of(first.client()), true, NOW).member())
        .isNotEqualTo(first.member());

    // members running with another CA's certificate: they come to trust this CA first, as in a rotation
    ClusterCertificates.Desired other = fresh("other");
    ClusterCertificates.Desired foreign = ClusterCertificates.desired("demo", NAMES, Optional.of(first.ca()),
        Optional.of(other.member()), Optional.of(first.client()), true, NOW);
    assertThat(trusted(foreign.member())).containsExactly(first.authority().certificate(),
        other.authority().certificate());
    certificate(next(foreign, true, NOW).member()).verify(first.authority().certificate().getPublicKey());
  }

  /** A static pod member is reached at its node's address: a node joining needs a certificate that names it. */
  @Test
  void anAddressNotNamedYetIsIssuedAnewAndOnesNamedAlreadyKeepTheCertificate() throws Exception {
    ClusterCertificates.Names nodes = new ClusterCertificates.Names(NAMES.dns(),
        List.of("127.0.0.1", "10.0.0.11", "10.0.0.12", "10.0.0.13"));
    ClusterCertificates.Desired first = ClusterCertificates.desired("demo", nodes, Optional.empty(), Optional.empty(),
        Optional.empty(), true, NOW);
    assertThat(CertificateChecks.ipAddresses(certificate(first.member())))
        .containsExactly("127.0.0.1", "10.0.0.11", "10.0.0.12", "10.0.0.13");
    assertThat(CertificateChecks.uncovered(certificate(first.member()), List.of("10.0.0.12", "10.0.0.14",
        "x.demo.default.svc"))).containsExactly("10.0.0.14");

    ClusterCertificates.Names fewer = new ClusterCertificates.Names(NAMES.dns(), List.of("127.0.0.1", "10.0.0.12"));
    assertThat(ClusterCertificates.desired("demo", fewer, Optional.of(first.ca()), Optional.of(first.member()),
        Optional.of(first.client()), true, NOW).member()).isEqualTo(first.member());
    ClusterCertificates.Names joined = new ClusterCertificates.Names(NAMES.dns(),
        List.of("127.0.0.1", "10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.14"));
    ClusterCertificates.Desired grown = ClusterCertificates.desired("demo", joined, Optional.of(first.ca()),
        Optional.of(first.member()), Optional.of(first.client()), false, NOW);
    assertThat(CertificateChecks.ipAddresses(certificate(grown.member()))).contains("10.0.0.14");
    assertThat(grown.ca()).isEqualTo(first.ca());
    assertThat(grown.rotation()).as("the same CA: no steps").isEmpty();
  }

  @Test
  void aNewCaIsTrustedFirstThenIssuesTheCertificatesThenTheOldOneGoesEachStepAfterTheMembersCaughtUp() {
    ClusterCertificates.Desired old = fresh("demo");
    X509Certificate oldCa = old.authority().certificate();

    // the CA Secret deleted: a new CA, trusted beside the old one; the members keep their certificate
    ClusterCertificates.Desired trusting = ClusterCertificates.desired("demo", NAMES, Optional.empty(),
        Optional.of(old.member()), Optional.of(old.client()), true, NOW);
    X509Certificate newCa = trusting.authority().certificate();
    assertThat(newCa).isNotEqualTo(oldCa);
    assertThat(trusted(trusting.member())).containsExactly(newCa, oldCa);
    assertThat(certificate(trusting.member())).isEqualTo(certificate(old.member()));
    assertThat(trusted(trusting.client())).containsExactly(newCa, oldCa);
    assertThat(ClusterCertificates.revision(trusting.member()))
        .isNotEqualTo(ClusterCertificates.revision(old.member()));
    assertThat(trusting.rotation()).hasValueSatisfying(r -> assertThat(r).contains("trust it beside the old one"));

    // until every member restarted with both CAs, nothing more changes
    ClusterCertificates.Desired rolling = next(trusting, false, NOW);
    assertThat(rolling.member()).isEqualTo(trusting.member());
    assertThat(rolling.client()).isEqualTo(trusting.client());
    assertThat(rolling.rotation()).hasValueSatisfying(r -> assertThat(r).contains("waiting for every member"));

    // then the new CA issues the certificates; both CAs stay trusted while the members restart with them
    ClusterCertificates.Desired issued = next(rolling, true, NOW);
    assertThat(CertificateChecks.issuedBy(certificate(issued.member()), newCa)).isTrue();
    assertThat(CertificateChecks.issuedBy(certificate(issued.client()), newCa)).isTrue();
    assertThat(trusted(issued.member())).containsExactly(newCa, oldCa);
    assertThat(next(issued, false, NOW).member()).isEqualTo(issued.member());

    // and once they all run them, the old CA goes
    ClusterCertificates.Desired done = next(issued, true, NOW);
    assertThat(trusted(done.member())).containsExactly(newCa);
    assertThat(trusted(done.client())).containsExactly(newCa);
    assertThat(certificate(done.member())).isEqualTo(certificate(issued.member()));
    assertThat(done.rotation()).isEmpty();
    assertThat(next(done, true, NOW).member()).isEqualTo(done.member());
  }

  @Test
  void aCaDueForRenewalIsReplacedByTheSameThreeSteps() {
    ClusterCertificates.Desired old = fresh("demo");
    Instant late = NOW.plus(ClusterCertificates.CA_VALIDITY).minus(ClusterCertificates.CA_RENEW_BEFORE)
        .plus(Duration.ofDays(1));
    ClusterCertificates.Desired renewed = ClusterCertificates.desired("demo", NAMES, Optional.of(old.ca()),
        Optional.of(old.member()), Optional.of(old.client()), true, late);
    assertThat(renewed.ca()).isNotEqualTo(old.ca());
    assertThat(trusted(renewed.member())).containsExactly(renewed.authority().certificate(),
        old.authority().certificate());
  }

  @Test
  void anUnreadableCaSecretIsAnErrorThatShowsNoKey() {
    ClusterCertificates.Desired first = fresh("demo");
    Map<String, String> withoutKey = new HashMap<>(first.ca());
    withoutKey.remove("ca.key");
    assertThatThrownBy(() -> ClusterCertificates.desired("demo", NAMES, Optional.of(withoutKey), Optional.empty(),
        Optional.empty(), true, NOW)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ca.key");

    Map<String, String> otherKey = new HashMap<>(first.ca());
    otherKey.put("ca.key", fresh("x").ca().get("ca.key"));
    assertThatThrownBy(() -> ClusterCertificates.desired("demo", NAMES, Optional.of(otherKey), Optional.empty(),
        Optional.empty(), true, NOW)).isInstanceOf(IllegalArgumentException.class)
        .message().doesNotContain("PRIVATE KEY").doesNotContain(otherKey.get("ca.key"));
  }

  @Test
  void theRevisionFollowsTheCertificatesNotTheKey() {
    ClusterCertificates.Desired first = fresh("demo");
    Map<String, String> otherKey = new HashMap<>(first.member());
    otherKey.put("tls.key", fresh("x").member().get("tls.key"));
    assertThat(ClusterCertificates.revision(otherKey)).isEqualTo(ClusterCertificates.revision(first.member()));
    assertThat(ClusterCertificates.revision(fresh("demo").member()))
        .isNotEqualTo(ClusterCertificates.revision(first.member()));
  }

  private static ClusterCertificates.Desired fresh(String cluster) {
    return ClusterCertificates.desired(cluster, NAMES, Optional.empty(), Optional.empty(), Optional.empty(), true,
        NOW);
  }

  /** The next pass, from what the previous one wrote. */
  private static ClusterCertificates.Desired next(ClusterCertificates.Desired previous, boolean membersCurrent,
      Instant now) {
    return ClusterCertificates.desired("demo", NAMES, Optional.of(previous.ca()), Optional.of(previous.member()),
        Optional.of(previous.client()), membersCurrent, now);
  }

  private static X509Certificate certificate(Map<String, String> data) {
    return Pem.readCertificate(ClusterCertificates.decoded(data).get("tls.crt"));
  }

  private static List<X509Certificate> trusted(Map<String, String> data) {
    return Pem.readCertificates(ClusterCertificates.decoded(data).get("ca.crt"));
  }
}
