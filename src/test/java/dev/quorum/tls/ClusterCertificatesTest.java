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
  static final List<String> NAMES = List.of("*.demo.default.svc", "demo-client.default.svc", "localhost");

  @Test
  void aNewClusterGetsACaAMemberCertificateAndAClientCertificate() throws Exception {
    ClusterCertificates.Desired desired = ClusterCertificates.desired("demo", NAMES, Optional.empty(),
        Optional.empty(), Optional.empty(), NOW);

    X509Certificate member = certificate(desired.member());
    member.verify(desired.authority().certificate().getPublicKey());
    assertThat(member.getSubjectAlternativeNames()).extracting(n -> (Object) n.get(1))
        .containsExactly("*.demo.default.svc", "demo-client.default.svc", "localhost", "127.0.0.1");
    assertThat(member.getNotAfter().toInstant()).isEqualTo(NOW.plus(ClusterCertificates.CERTIFICATE_VALIDITY));
    assertThat(certificate(desired.client()).getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(ClusterCertificates.decoded(desired.member())).containsOnlyKeys("ca.crt", "tls.crt", "tls.key");
    assertThat(ClusterCertificates.decoded(desired.ca())).containsOnlyKeys("ca.crt", "ca.key");
  }

  @Test
  void whatIsStillGoodIsKeptSoApplyingAgainChangesNothing() {
    ClusterCertificates.Desired first = ClusterCertificates.desired("demo", NAMES, Optional.empty(), Optional.empty(),
        Optional.empty(), NOW);
    ClusterCertificates.Desired again = ClusterCertificates.desired("demo", NAMES, Optional.of(first.ca()),
        Optional.of(first.member()), Optional.of(first.client()), NOW.plus(Duration.ofDays(100)));

    assertThat(again.ca()).isEqualTo(first.ca());
    assertThat(again.member()).isEqualTo(first.member());
    assertThat(again.client()).isEqualTo(first.client());
  }

  @Test
  void aCertificateDueForRenewalOrMissingANameOrFromAnotherCaIsIssuedAnew() throws Exception {
    ClusterCertificates.Desired first = ClusterCertificates.desired("demo", NAMES, Optional.empty(), Optional.empty(),
        Optional.empty(), NOW);
    Instant late = NOW.plus(ClusterCertificates.CERTIFICATE_VALIDITY).minus(Duration.ofDays(10));
    ClusterCertificates.Desired renewed = ClusterCertificates.desired("demo", NAMES, Optional.of(first.ca()),
        Optional.of(first.member()), Optional.of(first.client()), late);
    assertThat(renewed.ca()).isEqualTo(first.ca());
    assertThat(certificate(renewed.member()).getNotAfter().toInstant())
        .isEqualTo(late.plus(ClusterCertificates.CERTIFICATE_VALIDITY));
    assertThat(renewed.client()).isNotEqualTo(first.client());

    List<String> more = new ArrayList<>(NAMES);
    more.add("demo-client");
    assertThat(ClusterCertificates.desired("demo", more, Optional.of(first.ca()), Optional.of(first.member()),
        Optional.of(first.client()), NOW).member()).isNotEqualTo(first.member());

    ClusterCertificates.Desired other = ClusterCertificates.desired("other", NAMES, Optional.empty(),
        Optional.empty(), Optional.empty(), NOW);
    ClusterCertificates.Desired foreign = ClusterCertificates.desired("demo", NAMES, Optional.of(first.ca()),
        Optional.of(other.member()), Optional.of(first.client()), NOW);
    certificate(foreign.member()).verify(first.authority().certificate().getPublicKey());
  }

  @Test
  void anUnreadableCaSecretIsAnErrorThatShowsNoKey() {
    ClusterCertificates.Desired first = ClusterCertificates.desired("demo", NAMES, Optional.empty(), Optional.empty(),
        Optional.empty(), NOW);
    Map<String, String> withoutKey = new HashMap<>(first.ca());
    withoutKey.remove("ca.key");
    assertThatThrownBy(() -> ClusterCertificates.desired("demo", NAMES, Optional.of(withoutKey), Optional.empty(),
        Optional.empty(), NOW)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ca.key");

    Map<String, String> otherKey = new HashMap<>(first.ca());
    otherKey.put("ca.key", ClusterCertificates.desired("x", NAMES, Optional.empty(), Optional.empty(),
        Optional.empty(), NOW).ca().get("ca.key"));
    assertThatThrownBy(() -> ClusterCertificates.desired("demo", NAMES, Optional.of(otherKey), Optional.empty(),
        Optional.empty(), NOW)).isInstanceOf(IllegalArgumentException.class)
        .message().doesNotContain("PRIVATE KEY").doesNotContain(otherKey.get("ca.key"));
  }

  private static X509Certificate certificate(Map<String, String> data) {
    return Pem.readCertificate(ClusterCertificates.decoded(data).get("tls.crt"));
  }
}
