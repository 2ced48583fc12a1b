package dev.quorum.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.ClusterTls;
import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.backup.TestBackups;
import dev.quorum.restore.TestRestores;
import dev.quorum.rig.LocalKubelet.ClientResult;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.RigSession;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
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
  static final RigSession RIG = new RigSession();
  static final String CLUSTER = "secure";
  static String ns;
  static KubernetesClient kube;
  static OperatorProcess operator;

  @BeforeAll
  static void operator() {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    operator = OperatorProcess.start(RIG.rig(), "tls-it", Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s"));
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void aTlsClusterFormsServesCertifiedClientsOnlyAndIsBackedUpAndRestored() throws Exception {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.getStorage().setSize("128Mi");
    spec.setTls(new ClusterTls());
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(CLUSTER).withNamespace(ns).build());
    cluster.setSpec(spec);
    kube.resource(cluster).create();

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
    Secret client = kube.secrets().inNamespace(ns).withName(CLUSTER + "-client-tls").get();
    assertThat(client.getType()).isEqualTo("kubernetes.io/tls");
    Map<String, String> files = ClusterCertificates.decoded(client.getData());
    for (Map.Entry<String, String> file : files.entrySet()) {
      Files.writeString(certs.resolve(file.getKey()), file.getValue());
    }
    String endpoint = "--endpoints=https://" + CLUSTER + "-client." + ns + ".svc.cluster.local:2379";
    List<String> withCertificate = List.of(endpoint, "--cacert=" + certs.resolve("ca.crt"),
        "--cert=" + certs.resolve("tls.crt"), "--key=" + certs.resolve("tls.key"));

    ClientResult put = etcdctl(withCertificate, "put", "/secure/key", "value");
    assertThat(put.output()).as(put.output()).contains("OK");
    assertThat(etcdctl(withCertificate, "get", "/secure/key", "--print-value-only").output()).contains("value");

    ClientResult noCertificate = etcdctl(List.of(endpoint, "--cacert=" + certs.resolve("ca.crt")), "get", "/secure/key");
    assertThat(noCertificate.output()).as("a client without a certificate is refused").doesNotContain("value")
        .containsIgnoringCase("certificate");
    ClientResult plain = etcdctl(List.of("--endpoints=http://" + CLUSTER + "-client." + ns
        + ".svc.cluster.local:2379", "--dial-timeout=3s"), "get", "/secure/key");
    assertThat(plain.output()).as("plain text is refused").doesNotContain("value");

    // the operator's backup reaches a member with its own client certificate
    EtcdBackupStatus backup = TestBackups.backUpToNewBucket(kube, RIG.rig().s3(), ns, "secure-backup", CLUSTER, operator);
    assertThat(backup.getPhase()).as(backup.getMessage()).isEqualTo(OperationPhase.Succeeded);
    assertThat(backup.getSizeBytes()).isPositive();

    // and restored in place from it: the members restart on the backed-up data, still over TLS
    assertThat(etcdctl(withCertificate, "put", "/secure/key", "changed").output()).contains("OK");
    TestRestores.createInPlace(kube, ns, "secure-restore", CLUSTER, TestRestores.fromBackup("secure-backup"));
    EtcdRestoreStatus restored = TestRestores.awaitFinished(kube, ns, "secure-restore", operator);
    assertThat(restored.getPhase()).as(restored.getMessage()).isEqualTo(OperationPhase.Succeeded);
    await("the restored value served over TLS").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
        .until(() -> etcdctl(withCertificate, "get", "/secure/key", "--print-value-only").output().strip()
            .equals("value"));
  }

  private static ClientResult etcdctl(List<String> connection, String... args) {
    List<String> all = new ArrayList<>(connection);
    all.addAll(List.of(args));
    return RIG.etcdctl(all.toArray(String[]::new));
  }
}
