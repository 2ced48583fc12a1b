package dev.quorum.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.CertManagerIssuer;
import dev.quorum.api.v1alpha1.ClusterTls;
import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.model.Annotations;
import dev.quorum.rig.ChartOperator;
import dev.quorum.rig.ClientResult;
import dev.quorum.rig.RigSession;
import dev.quorum.specs.CertManagerCertificateBuilder;
import dev.quorum.testing.ClientServiceWriter;
import dev.quorum.testing.TestBackups;
import dev.quorum.testing.TestRestores;
import dev.quorum.testing.TlsClusters;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cluster with {@code spec.tls}: the operator keeps its CA and certificates in Secrets, the members require client
 * certificates from peers and clients, the operator reads their status and takes a backup with its own client
 * certificate, a client without a certificate (or over plain HTTP) is refused, and etcdctl with the client Secret's
 * certificate works. The backup is then restored in place, and the restored value is served over TLS again.
 */
class TlsClusterIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession().withOperator(Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s"));
  static final String CLUSTER = "secure";
  static String ns;
  static KubernetesClient kube;
  static ChartOperator operator;

  @BeforeAll
  static void operator() {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    operator = RIG.operator();
  }

  @Test
  void aTlsClusterFormsServesCertifiedClientsOnlyAndIsBackedUpAndRestored() throws Exception {
    TlsClusters.create(kube, ns, CLUSTER, new ClusterTls());

    await(CLUSTER + " Available over TLS").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          if (!operator.isAlive()) {
            throw new IllegalStateException("the operator exited:\n" + operator.logTail(40));
          }
          EtcdCluster c = kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).get();
          return c.getStatus() != null && c.getStatus().getReadyMembers() == 3 && c.getStatus().getLeader() != null
              && c.getStatus().getConditions().stream()
                  .anyMatch(x -> ConditionTypes.AVAILABLE.equals(x.getType()) && "True".equals(x.getStatus()));
        });
    EtcdCluster formed = kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).get();
    assertThat(formed.getStatus().getMembers()).allSatisfy(m -> assertThat(m.getClientURL()).startsWith("https://"));

    Path certs = Files.createDirectories(Path.of("target", "tls-it").toAbsolutePath());
    assertThat(kube.secrets().inNamespace(ns).withName(CLUSTER + "-client-tls").get().getType())
        .isEqualTo("kubernetes.io/tls");
    List<String> withCertificate = TlsClusters.etcdctlFlags(kube, ns, CLUSTER, certs);
    String endpoint = withCertificate.get(0);

    ClientResult put = etcdctl(withCertificate, "put", "/secure/key", "value");
    assertThat(put.output()).as(put.output()).contains("OK");
    assertThat(etcdctl(withCertificate, "get", "/secure/key", "--print-value-only").output()).contains("value");

    ClientResult noCertificate = etcdctl(List.of(endpoint, "--cacert=" + certs.resolve("ca.crt")), "get", "/secure/key");
    assertThat(noCertificate.exitCode()).as(noCertificate.output()).isNotZero();
    assertThat(noCertificate.output()).as("a client without a certificate is refused").doesNotContain("value");
    // the client sees a reset or a certificate error, as the handshake's timing has it; the members say why
    await("a member refused the client without a certificate").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500)).until(() -> memberLogs(CLUSTER).contains("didn't provide a certificate"));
    ClientResult plain = etcdctl(List.of("--endpoints=http://" + CLUSTER + "-client." + ns
        + ".svc.cluster.local:2379", "--dial-timeout=3s"), "get", "/secure/key");
    assertThat(plain.output()).as("plain text is refused").doesNotContain("value");

    // the operator's backup reaches a member with its own client certificate
    EtcdBackupStatus backup = TestBackups.backUpToNewBucket(kube, RIG.rig().s3(), ns, "secure-backup", CLUSTER, operator);
    assertThat(backup.getPhase()).as(backup.getMessage()).isEqualTo(OperationPhase.Succeeded);
    assertThat(backup.getSizeBytes()).isPositive();

    // restored into a new TLS cluster (how a cluster moves to TLS, or to a new CA): a CA of its own, served over TLS
    EtcdClusterSpec copySpec = new EtcdClusterSpec();
    copySpec.getStorage().setSize("128Mi");
    copySpec.setTls(new ClusterTls());
    TestRestores.createIntoNewCluster(kube, ns, "secure-copy-restore", "secure-copy",
        TestRestores.fromBackup("secure-backup"), copySpec);
    EtcdRestoreStatus copied = TestRestores.awaitFinished(kube, ns, "secure-copy-restore", operator);
    assertThat(copied.getPhase()).as(copied.getMessage()).isEqualTo(OperationPhase.Succeeded);
    List<String> copyCertificate = TlsClusters.etcdctlFlags(kube, ns, "secure-copy", certs.resolve("copy"));
    await("the backed-up value served by the new TLS cluster").atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> etcdctl(copyCertificate, "get", "/secure/key", "--print-value-only").output().strip()
            .equals("value"));
    assertThat(trusted("secure-copy")).as("the new cluster's own CA").doesNotContainAnyElementsOf(trusted(CLUSTER));
    ClientResult otherCa = etcdctl(withCertificate.stream().map(f -> f.startsWith("--endpoints=")
        ? copyCertificate.get(0) : f).toList(), "get", "/secure/key", "--dial-timeout=3s");
    assertThat(otherCa.output()).as("the first cluster's certificate is not the new one's").doesNotContain("value");
    kube.resources(EtcdCluster.class).inNamespace(ns).withName("secure-copy").delete();

    // and restored in place from it: the members restart on the backed-up data, still over TLS
    assertThat(etcdctl(withCertificate, "put", "/secure/key", "changed").output()).contains("OK");
    TestRestores.createInPlace(kube, ns, "secure-restore", CLUSTER, TestRestores.fromBackup("secure-backup"));
    EtcdRestoreStatus restored = TestRestores.awaitFinished(kube, ns, "secure-restore", operator);
    assertThat(restored.getPhase()).as(restored.getMessage()).isEqualTo(OperationPhase.Succeeded);
    await("the restored value served over TLS").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
        .until(() -> etcdctl(withCertificate, "get", "/secure/key", "--print-value-only").output().strip()
            .equals("value"));
  }

  /**
   * Renewing the members' certificate (its Secret deleted) and replacing the CA (the CA Secret deleted) each roll
   * the members one at a time: the cluster stays Available to a client that writes through the client Service all
   * along, following the client Secret as an application mounting it would, and loses no acknowledged write.
   */
  @Test
  void newCertificatesAndANewCaRollTheMembersWithoutLosingAWrite() throws Exception {
    String name = "rotating";
    TlsClusters.create(kube, ns, name, new ClusterTls());
    awaitSettled(name, "formed");
    EtcdCluster formed = kube.resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
    assertThat(formed.getStatus().getTls().getSecretName()).isEqualTo(name + "-tls");
    assertThat(Instant.parse(formed.getStatus().getTls().getCertificateExpires()))
        .isAfter(Instant.now().plus(Duration.ofDays(300)));
    X509Certificate oldCa = trusted(name).get(0);
    X509Certificate oldCertificate = memberCertificate(name);

    ClientServiceWriter writer = new ClientServiceWriter(kube, ns, name + "-client", Duration.ofMillis(50),
        new SecretConnector(kube, ns, name + "-client-tls", name + "-client." + ns + ".svc.cluster.local"));
    try {
      kube.secrets().inNamespace(ns).withName(name + "-tls").delete();
      await("a new member certificate").atMost(Duration.ofMinutes(1)).ignoreExceptions()
          .until(() -> !memberCertificate(name).equals(oldCertificate));
      awaitSettled(name, "the new member certificate rolled out");
      assertThat(trusted(name)).containsExactly(oldCa);

      kube.secrets().inNamespace(ns).withName(name + "-ca").delete();
      await("a new CA trusted").atMost(Duration.ofMinutes(1)).ignoreExceptions()
          .until(() -> !trusted(name).get(0).equals(oldCa));
      awaitSettled(name, "the new CA rolled out");
      List<X509Certificate> trusted = trusted(name);
      assertThat(trusted).hasSize(1).doesNotContain(oldCa);
      assertThat(CertificateChecks.issuedBy(memberCertificate(name), trusted.get(0))).isTrue();
      writer.stopAndAssertKept(Duration.ofSeconds(5));
    } finally {
      writer.close();
    }
    EtcdCluster rotated = kube.resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
    assertThat(rotated.getStatus().getTls().getCaExpires()).isNotEqualTo(formed.getStatus().getTls().getCaExpires());
  }

  /**
   * A Secret the user keeps (as cert-manager would write it): each thing wrong with it (missing, names not covered,
   * a key missing, expired) is Degraded/InvalidTlsSecret naming the Secret and the problem, and leaves running members
   * alone; a good one forms the cluster, and a renewed one rolls the members.
   */
  @Test
  void aUsersSecretIsCheckedAndABadOneLeavesTheMembersAlone() throws Exception {
    String name = "users";
    String secret = "users-etcd-tls";
    ClusterTls tls = new ClusterTls();
    tls.setCertificates(ClusterTls.Certificates.Secret);
    tls.setSecretName(secret);
    TlsClusters.create(kube, ns, name, tls);
    awaitInvalidTlsSecret(name, "the Secret " + secret + " (spec.tls.secretName) does not exist");
    assertThat(memberPods(name)).isEmpty();

    Instant now = Instant.now();
    CertificateAuthority ca = CertificateAuthority.generate("users-ca", Duration.ofDays(30), now);
    String domain = "." + name + "." + ns + ".svc.cluster.local";
    putSecret(secret, ca, ca.issue(name, List.of(name + "-0" + domain), List.of(), Duration.ofDays(10), now,
        CertificateAuthority.Usage.SERVER_AND_CLIENT));
    awaitInvalidTlsSecret(name, "does not cover " + name + "-1" + domain + ", " + name + "-2" + domain);
    assertThat(memberPods(name)).isEmpty();

    // etcd checks a peer's certificate against the address it connects from: in Kubernetes by the reverse DNS name
    // of the pod's IP (its headless Service name, which the wildcard covers); the rig's pods connect from
    // 127.0.0.1, which the certificate names too, as the operator's own certificates do
    List<String> loopback = List.of("127.0.0.1");
    CertificateAuthority.Issued good = ca.issue(name, List.of("*" + domain), loopback, Duration.ofDays(10), now,
        CertificateAuthority.Usage.SERVER_AND_CLIENT);
    putSecret(secret, ca, good);
    awaitSettled(name, secret, "formed with the user's certificate");
    EtcdCluster formed = kube.resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
    assertThat(formed.getStatus().getTls().getSecretName()).isEqualTo(secret);
    assertThat(Instant.parse(formed.getStatus().getTls().getCertificateExpires()))
        .isEqualTo(good.certificate().getNotAfter().toInstant());
    assertThat(formed.getStatus().getTls().getCaExpires()).isNull();
    List<String> running = memberPods(name).stream().map(p -> p.getMetadata().getUid()).toList();

    Map<String, String> withoutKey = new java.util.HashMap<>(kube.secrets().inNamespace(ns).withName(secret).get()
        .getData());
    withoutKey.remove(ClusterCertificates.KEY);
    kube.secrets().inNamespace(ns).withName(secret).edit(s -> {
      s.setData(withoutKey);
      return s;
    });
    awaitInvalidTlsSecret(name, "it has no tls.key");
    CertificateAuthority.Issued expired = ca.issue(name, List.of("*" + domain), loopback, Duration.ofHours(1),
        now.minus(Duration.ofDays(1)), CertificateAuthority.Usage.SERVER_AND_CLIENT);
    putSecret(secret, ca, expired);
    awaitInvalidTlsSecret(name, "tls.crt expired at");
    EtcdCluster untouched = kube.resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
    assertThat(untouched.getStatus().condition(ConditionTypes.AVAILABLE).map(c -> c.getStatus())).hasValue("True");
    assertThat(memberPods(name).stream().map(p -> p.getMetadata().getUid()).toList())
        .as("members left alone while the Secret is bad").containsExactlyInAnyOrderElementsOf(running);

    putSecret(secret, ca, ca.issue(name, List.of("*" + domain), loopback, Duration.ofDays(20), Instant.now(),
        CertificateAuthority.Usage.SERVER_AND_CLIENT));
    awaitSettled(name, secret, "the renewed certificate rolled out");
    assertThat(memberPods(name).stream().map(p -> p.getMetadata().getUid()).toList()).doesNotContainAnyElementsOf(running);
  }

  /**
   * {@code certificates: CertManager}: without cert-manager's CRDs the cluster says what it lacks; with them (the
   * real CRDs, validated by the real API server) the operator keeps a Certificate for the members' names from the
   * named issuer, and the members wait for cert-manager to write their Secret. No cert-manager runs on the rig: the
   * Secret it would write is the kind the user's-Secret test above shows in use.
   */
  @Test
  void certManagerIsAskedForTheMembersCertificateOnceItsResourcesExist() throws Exception {
    String name = "managed";
    ClusterTls tls = new ClusterTls();
    tls.setCertificates(ClusterTls.Certificates.CertManager);
    CertManagerIssuer issuer = new CertManagerIssuer();
    issuer.setName("etcd-ca");
    tls.setIssuerRef(issuer);
    TlsClusters.create(kube, ns, name, tls);
    boolean crdsThere = kube.apiextensions().v1().customResourceDefinitions()
        .withName("certificates.cert-manager.io").get() != null;
    if (!crdsThere) {
      await(name + " says cert-manager is missing").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
          .until(() -> {
            operator.assertAlive();
            EtcdCluster c = kube.resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
            return c.getStatus() != null && c.getStatus().condition(ConditionTypes.DEGRADED)
                .filter(x -> "True".equals(x.getStatus())
                    && x.getMessage().contains("needs cert-manager's Certificate resource"))
                .isPresent();
          });
      try (var files = Files.list(RIG.rig().tools().certManagerCrds())) {
        for (Path file : files.sorted().toList()) {
          try (var in = Files.newInputStream(file)) {
            kube.resource(kube.getKubernetesSerialization().unmarshal(in,
                io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class)).serverSideApply();
          }
        }
      }
      await("cert-manager's CRDs served").atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() ->
          kube.genericKubernetesResources(CertManagerCertificateBuilder.CERTIFICATES).inNamespace(ns).list() != null);
    }

    await("the Certificate asked of cert-manager").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions().until(() -> {
          operator.assertAlive();
          var certificate = kube.genericKubernetesResources(CertManagerCertificateBuilder.CERTIFICATES)
              .inNamespace(ns).withName(name + "-tls").get();
          EtcdCluster c = kube.resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
          return certificate != null && c.getStatus().condition(ConditionTypes.PROGRESSING)
              .filter(x -> x.getMessage().contains("waiting for cert-manager to issue the Secret " + name + "-tls"))
              .isPresent();
        });
    @SuppressWarnings("unchecked")
    Map<String, Object> certificate = (Map<String, Object>) kube.genericKubernetesResources(
        CertManagerCertificateBuilder.CERTIFICATES).inNamespace(ns).withName(name + "-tls").get()
        .getAdditionalProperties().get("spec");
    assertThat(certificate).containsEntry("secretName", name + "-tls")
        .containsEntry("issuerRef", Map.of("name", "etcd-ca", "kind", "Issuer", "group", "cert-manager.io"));
    assertThat(certificate.get("dnsNames")).asList().contains("*." + name + "." + ns + ".svc.cluster.local");
    assertThat(memberPods(name)).as("no member before its certificate").isEmpty();
    kube.resources(EtcdCluster.class).inNamespace(ns).withName(name).delete();
  }

  private static void awaitInvalidTlsSecret(String name, String says) {
    await(name + " Degraded: " + says).atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() -> {
      operator.assertAlive();
      EtcdCluster c = kube.resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
      return c.getStatus() != null && c.getStatus().condition(ConditionTypes.DEGRADED)
          .filter(x -> "True".equals(x.getStatus()) && "InvalidTlsSecret".equals(x.getReason())
              && x.getMessage().contains(says))
          .isPresent();
    });
  }

  private static void putSecret(String name, CertificateAuthority ca, CertificateAuthority.Issued issued) {
    kube.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName(name)
        .withNamespace(ns).endMetadata()
        .addToStringData(ClusterCertificates.CA_CERT, Pem.certificate(ca.certificate()))
        .addToStringData(ClusterCertificates.CERT, Pem.certificate(issued.certificate()))
        .addToStringData(ClusterCertificates.KEY, Pem.privateKey(issued.key())).build()).createOr(r -> r.update());
  }

  private static List<Pod> memberPods(String name) {
    return kube.pods().inNamespace(ns).withLabels(Map.of("app.kubernetes.io/instance", name)).list().getItems();
  }

  private static void awaitSettled(String name, String what) {
    awaitSettled(name, name + "-tls", what);
  }

  /**
   * The cluster Available with every member's pod started with the members' Secret as it is, nothing left to roll,
   * and no change of CA under way.
   */
  private static void awaitSettled(String name, String secret, String what) {
    await(name + ": " + what).atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1)).until(() -> {
      if (!operator.isAlive()) {
        throw new IllegalStateException("the operator exited:\n" + operator.logTail(40));
      }
      EtcdCluster c = kube.resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
      Secret members = kube.secrets().inNamespace(ns).withName(secret).get();
      if (c.getStatus() == null || members == null || c.getStatus().getTls() == null) {
        return false;
      }
      String revision = ClusterCertificates.revision(members.getData());
      List<Pod> pods = memberPods(name);
      return c.getStatus().getReadyMembers() == 3 && pods.size() == 3
          && pods.stream().allMatch(p -> revision.equals(p.getMetadata().getAnnotations()
              .get(Annotations.TLS_REVISION)))
          && c.getStatus().getTls().getRotation() == null
          && c.getStatus().condition(ConditionTypes.PROGRESSING).map(x -> "False".equals(x.getStatus())).orElse(false)
          && c.getStatus().condition(ConditionTypes.AVAILABLE).map(x -> "True".equals(x.getStatus())).orElse(false);
    });
  }

  private static List<X509Certificate> trusted(String name) {
    return Pem.readCertificates(ClusterCertificates.decoded(
        kube.secrets().inNamespace(ns).withName(name + "-tls").get().getData()).get(ClusterCertificates.CA_CERT));
  }

  private static X509Certificate memberCertificate(String name) {
    return Pem.readCertificate(ClusterCertificates.decoded(
        kube.secrets().inNamespace(ns).withName(name + "-tls").get().getData()).get(ClusterCertificates.CERT));
  }

  /** An application's etcd client with its mounted client Secret: it follows the Secret as it changes. */
  static final class SecretConnector implements ClientServiceWriter.Connector {
    private final KubernetesClient kube;
    private final String namespace;
    private final String secret;
    private final String authority;
    private volatile String id = "";
    private volatile SslContext context;

    SecretConnector(KubernetesClient kube, String namespace, String secret, String authority) {
      this.kube = kube;
      this.namespace = namespace;
      this.secret = secret;
      this.authority = authority;
      refresh();
    }

    @Override
    public void refresh() {
      Secret current = kube.secrets().inNamespace(namespace).withName(secret).get();
      if (current == null) {
        return;
      }
      String revision = ClusterCertificates.revision(current.getData());
      if (!revision.equals(id)) {
        try {
          context = OperatorClientTls.sslContext(current.getData());
        } catch (SSLException e) {
          throw new IllegalStateException(e);
        }
        id = revision;
      }
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Client connect(String ip) {
      // the members' certificate names the client Service, not pod addresses: verified by that name
      return Client.builder().endpoints("https://" + ip + ":2379").sslContext(context).authority(authority)
          .retryMaxAttempts(ClientServiceWriter.NO_RETRIES).build();
    }
  }

  private static String memberLogs(String cluster) {
    return RIG.rig().podLogs(ns, cluster + "-");
  }

  private static ClientResult etcdctl(List<String> connection, String... args) {
    List<String> all = new ArrayList<>(connection);
    all.addAll(List.of(args));
    return RIG.etcdctl(all.toArray(String[]::new));
  }
}
