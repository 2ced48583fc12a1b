package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.CertManagerIssuer;
import dev.quorum.api.v1alpha1.ClusterTls;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.model.Annotations;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import dev.quorum.model.Member;
import dev.quorum.specs.MemberPodBuilder;
import dev.quorum.tls.CertificateAuthority;
import dev.quorum.tls.CertificateChecks;
import dev.quorum.tls.ClusterCertificates;
import dev.quorum.tls.Pem;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MemberTlsTest {

  static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");
  static final Set<String> RECORDED = Set.of("demo-0", "demo-1", "demo-2");
  final Map<String, Map<String, String>> secrets = new HashMap<>();

  @Test
  void aStepOfANewCaWaitsUntilEveryMemberIsReadyWithTheSecretAsItIs() {
    EtcdClusterModel model = TestClusters.model(tlsCluster(new ClusterTls()));
    MemberTls.Pass first = MemberTls.of(model, RECORDED, List.of(), this::secret, NOW);
    first.secrets().forEach(s -> secrets.put(s.getMetadata().getName(), s.getData()));
    EtcdClusterModel running = model.withTlsRevision(first.revision());
    secrets.remove("demo-ca");

    MemberTls.Pass trusting = MemberTls.of(model, RECORDED, pods(running, true), this::secret, NOW);
    assertThat(trusting.revision()).isNotEqualTo(first.revision());
    assertThat(trusting.certificates().orElseThrow().rotation()).isPresent();
    trusting.secrets().forEach(s -> secrets.put(s.getMetadata().getName(), s.getData()));
    EtcdClusterModel rolled = model.withTlsRevision(trusting.revision());

    // two members restarted, one pod not ready yet: the new CA does not issue certificates
    List<Pod> oneNotReady = pods(rolled, true);
    oneNotReady.set(1, ready(oneNotReady.get(1), false));
    assertThat(MemberTls.of(model, RECORDED, oneNotReady, this::secret, NOW).revision()).isEqualTo(trusting.revision());
    // a member still on the old Secret: neither
    List<Pod> oneOld = pods(rolled, true);
    oneOld.set(2, pods(running, true).get(2));
    assertThat(MemberTls.of(model, RECORDED, oneOld, this::secret, NOW).revision()).isEqualTo(trusting.revision());
    // all of them ready with it: the next step
    assertThat(MemberTls.of(model, RECORDED, pods(rolled, true), this::secret, NOW).revision())
        .isNotEqualTo(trusting.revision());
  }

  /**
   * A member that has yet to join (not on record: a scale-up waiting for the change of CA to end) does not hold the
   * change up; it starts with the Secret as it is when it joins.
   */
  @Test
  void aSecretDeletedOrReplacedSinceThePassReadItIsNotWrittenBack() {
    EtcdClusterModel model = TestClusters.model(tlsCluster(new ClusterTls()));
    MemberTls.Pass first = MemberTls.of(model, RECORDED, List.of(), this::secret, NOW);
    assertThat(first.unchangedSinceRead("demo-tls", Optional.empty())).as("first issued: none existed").isTrue();
    first.secrets().forEach(s -> secrets.put(s.getMetadata().getName(), s.getData()));

    MemberTls.Pass kept = MemberTls.of(model, RECORDED, List.of(), this::secret, NOW);
    assertThat(kept.secrets()).extracting(Secret::getData)
        .containsExactlyInAnyOrderElementsOf(first.secrets().stream().map(Secret::getData).toList());
    assertThat(kept.unchangedSinceRead("demo-tls", secret("demo-tls"))).isTrue();
    assertThat(kept.unchangedSinceRead("demo-tls", Optional.empty())).as("deleted to be issued again").isFalse();
    assertThat(kept.unchangedSinceRead("demo-ca", Optional.of(Map.of("ca.crt", "another"))))
        .as("replaced by a user").isFalse();
  }

  @Test
  void aStepOfANewCaDoesNotWaitForAMemberThatHasYetToJoin() {
    EtcdCluster cluster = tlsCluster(new ClusterTls());
    EtcdClusterModel three = TestClusters.model(cluster);
    MemberTls.Pass first = MemberTls.of(three, RECORDED, List.of(), this::secret, NOW);
    first.secrets().forEach(s -> secrets.put(s.getMetadata().getName(), s.getData()));
    secrets.remove("demo-ca");
    MemberTls.Pass trusting = MemberTls.of(three, RECORDED, pods(three.withTlsRevision(first.revision()), true),
        this::secret, NOW);
    trusting.secrets().forEach(s -> secrets.put(s.getMetadata().getName(), s.getData()));
    List<Pod> rolled = pods(three.withTlsRevision(trusting.revision()), true);

    cluster.getSpec().setSize(5);
    EtcdClusterModel five = TestClusters.model(cluster);
    assertThat(MemberTls.of(five, RECORDED, rolled, this::secret, NOW).revision()).as("the next step")
        .isNotEqualTo(trusting.revision());
    assertThat(MemberTls.of(five, Set.of("demo-0", "demo-1", "demo-2", "demo-3"), rolled, this::secret, NOW)
        .revision()).as("a member on record waits to be ready with it").isEqualTo(trusting.revision());
  }

  /**
   * StaticPod mode: the certificate names the members' node addresses, so a node joining gets it issued again; the
   * node agents put it under the running members, who take it at their next handshake: no member restarts for it.
   */
  @Test
  void aStaticNodeJoiningGetsTheCertificateIssuedAgainWithoutRestartingTheMembers() {
    EtcdCluster cluster = TestClusters.staticPodCluster("demo");
    cluster.getSpec().setTls(new ClusterTls());
    EtcdClusterModel three = TestClusters.staticPodModel(cluster, dev.quorum.model.MemberBootstrapRecords.NONE,
        TestClusters.nodes(5, 0, 1, 2));
    Set<String> recorded = Set.of("demo-node-0", "demo-node-1", "demo-node-2");
    MemberTls.Pass first = MemberTls.of(three, recorded, List.of(), this::secret, NOW);
    first.secrets().forEach(s -> secrets.put(s.getMetadata().getName(), s.getData()));
    X509Certificate issued = memberCertificate();
    assertThat(CertificateChecks.ipAddresses(issued)).containsExactly("127.0.0.1", "10.0.0.10", "10.0.0.11",
        "10.0.0.12");

    EtcdClusterModel five = TestClusters.staticPodModel(cluster, dev.quorum.model.MemberBootstrapRecords.NONE,
        TestClusters.nodes(5, 0, 1, 2, 3, 4));
    MemberTls.Pass joined = MemberTls.of(five, recorded, pods(three.withTlsRevision(first.revision()), true),
        this::secret, NOW);
    joined.secrets().forEach(s -> secrets.put(s.getMetadata().getName(), s.getData()));
    assertThat(CertificateChecks.ipAddresses(memberCertificate())).contains("10.0.0.13", "10.0.0.14");
    assertThat(memberCertificate()).isNotEqualTo(issued);
    assertThat(joined.revision()).as("the same CA, the same issuer: nothing to restart for")
        .isEqualTo(first.revision());
    assertThat(joined.certificates().orElseThrow().rotation()).isEmpty();
  }

  /** StaticPod mode with a user's Secret: it must name the nodes' addresses. */
  @Test
  void aUsersSecretForStaticMembersMustCoverTheirNodesAddresses() {
    EtcdCluster cluster = TestClusters.staticPodCluster("demo");
    ClusterTls tls = new ClusterTls();
    tls.setCertificates(ClusterTls.Certificates.Secret);
    tls.setSecretName("users-tls");
    cluster.getSpec().setTls(tls);
    EtcdClusterModel model = TestClusters.staticPodModel(cluster, dev.quorum.model.MemberBootstrapRecords.NONE,
        TestClusters.nodes(3, 0, 1, 2));
    CertificateAuthority ca = CertificateAuthority.generate("users-ca", Duration.ofDays(100), NOW);

    secrets.put("users-tls", secretData(ca, List.of("*.demo.default.svc.cluster.local", "10.0.0.10")));
    assertThatThrownBy(() -> MemberTls.of(model, Set.of(), List.of(), this::secret, NOW))
        .isInstanceOf(MemberTls.SecretProblem.class)
        .hasMessageContaining("does not cover 10.0.0.11, 10.0.0.12 (its names: *.demo.default.svc.cluster.local,"
            + " 10.0.0.10)");
    secrets.put("users-tls", secretData(ca, List.of("10.0.0.10", "10.0.0.11", "10.0.0.12")));
    assertThat(MemberTls.of(model, Set.of(), List.of(), this::secret, NOW).certificates()).isPresent();
  }

  @Test
  void theUsersSecretIsCheckedAndNeverWritten() {
    ClusterTls tls = new ClusterTls();
    tls.setCertificates(ClusterTls.Certificates.Secret);
    tls.setSecretName("users-tls");
    EtcdClusterModel model = TestClusters.model(tlsCluster(tls));
    assertThat(model.tls().memberTlsSecret()).isEqualTo("users-tls");

    assertThatThrownBy(() -> MemberTls.of(model, RECORDED, List.of(), this::secret, NOW))
        .isInstanceOf(MemberTls.SecretProblem.class)
        .hasMessageContaining("the Secret users-tls (spec.tls.secretName) does not exist");

    CertificateAuthority ca = CertificateAuthority.generate("users-ca", Duration.ofDays(100), NOW);
    secrets.put("users-tls", secretData(ca, List.of("demo-0.demo.default.svc.cluster.local")));
    assertThatThrownBy(() -> MemberTls.of(model, RECORDED, List.of(), this::secret, NOW))
        .isInstanceOf(MemberTls.SecretProblem.class)
        .hasMessageContaining("users-tls")
        .hasMessageContaining("does not cover demo-1.demo.default.svc.cluster.local, "
            + "demo-2.demo.default.svc.cluster.local");

    secrets.put("users-tls", secretData(ca, List.of("*.demo.default.svc.cluster.local")));
    MemberTls.Pass pass = MemberTls.of(model, RECORDED, List.of(), this::secret, NOW);
    assertThat(pass.secrets()).isEmpty();
    assertThat(pass.certificates().orElseThrow().secret()).isEqualTo("users-tls");
    assertThat(pass.certificates().orElseThrow().expires()).isEqualTo(NOW.plus(Duration.ofDays(30)));
    assertThat(pass.revision()).isEqualTo(ClusterCertificates.revision(secrets.get("users-tls")));
  }

  @Test
  void certManagerIssuesTheSecretTheMembersWaitForThenItIsChecked() {
    ClusterTls tls = new ClusterTls();
    tls.setCertificates(ClusterTls.Certificates.CertManager);
    CertManagerIssuer issuer = new CertManagerIssuer();
    issuer.setName("etcd-ca");
    tls.setIssuerRef(issuer);
    EtcdClusterModel model = TestClusters.model(tlsCluster(tls));

    MemberTls.Pass pending = MemberTls.of(model, RECORDED, List.of(), this::secret, NOW);
    assertThat(pending.pending()).hasValueSatisfying(p -> assertThat(p)
        .isEqualTo("waiting for cert-manager to issue the Secret demo-tls (Certificate demo-tls)"));
    assertThat(pending.secrets()).as("cert-manager writes the members' Secret").isEmpty();

    CertificateAuthority ca = CertificateAuthority.generate("etcd-ca", Duration.ofDays(100), NOW);
    // not covering every member yet (the Certificate named more since): cert-manager is to issue it anew
    secrets.put("demo-tls", secretData(ca, List.of("demo-0.demo.default.svc.cluster.local")));
    assertThat(MemberTls.of(model, RECORDED, List.of(), this::secret, NOW).pending()).hasValue("waiting for"
        + " cert-manager to issue the Secret demo-tls for demo-1.demo.default.svc.cluster.local,"
        + " demo-2.demo.default.svc.cluster.local (Certificate demo-tls)");
    // what it issued is wrong in itself: said so
    secrets.put("demo-tls", secretData(CertificateAuthority.generate("other", Duration.ofDays(100), NOW), ca,
        List.of("*.demo.default.svc.cluster.local")));
    assertThatThrownBy(() -> MemberTls.of(model, RECORDED, List.of(), this::secret, NOW))
        .hasMessageContaining("the Secret demo-tls (Certificate demo-tls) cannot be used")
        .hasMessageContaining("was not issued by a CA in ca.crt");
    secrets.put("demo-tls", secretData(ca, List.of("*.demo.default.svc.cluster.local")));
    MemberTls.Pass issued = MemberTls.of(model, RECORDED, List.of(), this::secret, NOW);
    assertThat(issued.pending()).isEmpty();
    assertThat(issued.secrets()).isEmpty();
    assertThat(issued.certificates().orElseThrow().secret()).isEqualTo("demo-tls");
  }

  private X509Certificate memberCertificate() {
    return Pem.readCertificate(ClusterCertificates.decoded(secrets.get("demo-tls")).get(ClusterCertificates.CERT));
  }

  private Optional<Map<String, String>> secret(String name) {
    return Optional.ofNullable(secrets.get(name));
  }

  private static EtcdCluster tlsCluster(ClusterTls tls) {
    EtcdCluster cluster = TestClusters.cluster("demo", 3);
    cluster.getSpec().setTls(tls);
    return cluster;
  }

  private static List<Pod> pods(EtcdClusterModel model, boolean ready) {
    List<Pod> pods = new java.util.ArrayList<>();
    for (Member member : model.members()) {
      pods.add(ready(MemberPodBuilder.build(model, member), ready));
    }
    assertThat(pods.get(0).getMetadata().getAnnotations()).containsKey(Annotations.TLS_REVISION);
    return pods;
  }

  private static Pod ready(Pod pod, boolean ready) {
    return new PodBuilder(pod).withNewStatus().withPhase("Running")
        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus().build();
  }

  private static Map<String, String> secretData(CertificateAuthority ca, List<String> names) {
    return secretData(ca, ca, names);
  }

  /** A certificate of {@code issuer} for these names (IP addresses too), with {@code trusted} in ca.crt. */
  private static Map<String, String> secretData(CertificateAuthority issuer, CertificateAuthority trusted,
      List<String> names) {
    CertificateAuthority.Issued issued = issuer.issue("demo",
        names.stream().filter(n -> !CertificateChecks.isIpAddress(n)).toList(),
        names.stream().filter(CertificateChecks::isIpAddress).toList(), Duration.ofDays(30), NOW,
        CertificateAuthority.Usage.SERVER_AND_CLIENT);
    Map<String, String> data = new HashMap<>();
    data.put("ca.crt", base64(Pem.certificate(trusted.certificate())));
    data.put("tls.crt", base64(Pem.certificate(issued.certificate())));
    data.put("tls.key", base64(Pem.privateKey(issued.key())));
    return data;
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
