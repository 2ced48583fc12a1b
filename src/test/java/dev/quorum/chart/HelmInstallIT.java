package dev.quorum.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.ClusterTls;
import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.rig.ChartOperator;
import dev.quorum.rig.ClientResult;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.Clusters;
import dev.quorum.testing.TestBackups;
import dev.quorum.testing.TestRestores;
import dev.quorum.testing.TlsClusters;
import dev.quorum.tls.ClusterCertificates;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * What a user does: {@code helm install} the chart into a namespace that enforces the restricted Pod Security
 * Standard, then apply a TLS EtcdCluster into another that does too, back it up and restore it. The operator runs as
 * the chart's pods (two replicas, so with leader election) with the chart's ServiceAccount token, in-cluster style:
 * the real API server authorises every call through the chart's least-privilege RBAC, and admits every pod the
 * operator makes. Nothing the operator logs, records as an event or writes in a status holds a credential or a key.
 * Last, one rule taken from its ClusterRole is reported as a permission the operator lacks.
 */
// alone: the chart installed cluster-wide watches every namespace; the test takes a permission from it
@Isolated
class HelmInstallIT {

  static final String RELEASE_NAMESPACE = "quorum-system";
  static final String CLUSTER = "via-helm";

  @RegisterExtension
  static final RigSession RIG = new RigSession();

  @Test
  void helmInstalledOperatorRunsABackedUpRestoredTlsClusterWithItsOwnTokenAndLeaksNothing() throws Exception {
    KubernetesClient kube = RIG.client();
    ChartOperator chart = ChartOperator.install(RIG.rig(), RELEASE_NAMESPACE, List.of("--set", "replicaCount=2"));
    String ns = RIG.namespace();
    try {
      List<Pod> replicas = chart.pods();
      assertThat(replicas).hasSize(2).allSatisfy(p -> assertThat(p.getSpec().getServiceAccountName()).isEqualTo("quorum"));
      var lease = await("a replica leads").atMost(Duration.ofSeconds(60)).until(() -> kube.leases()
          .inNamespace(RELEASE_NAMESPACE).list().getItems().stream()
          .filter(l -> l.getSpec().getHolderIdentity() != null).findFirst(), java.util.Optional::isPresent).get();
      assertThat(replicas).extracting(p -> p.getMetadata().getName()).as("the lease is held by an operator pod")
          .contains(lease.getSpec().getHolderIdentity());
      Runnable operatorUp = chart::assertAlive;

      TlsClusters.create(kube, ns, CLUSTER, new ClusterTls());
      Clusters.awaitAvailable(kube, ns, CLUSTER, chart);
      List<String> tls = TlsClusters.etcdctlFlags(kube, ns, CLUSTER, Path.of("target", "helm-install-it"));
      ClientResult put = etcdctl(tls, "put", "/k", "v");
      assertThat(put.output()).as(put.output()).contains("OK");

      EtcdBackupStatus backup = TestBackups.backUpToNewBucket(kube, RIG.rig().s3(), ns, "via-helm-backup", CLUSTER,
          operatorUp);
      assertThat(backup.getPhase()).as(backup.getMessage()).isEqualTo(OperationPhase.Succeeded);
      assertThat(etcdctl(tls, "put", "/k", "changed").output()).contains("OK");
      TestRestores.createInPlace(kube, ns, "via-helm-restore", CLUSTER, TestRestores.fromBackup("via-helm-backup"));
      EtcdRestoreStatus restored = TestRestores.awaitFinished(kube, ns, "via-helm-restore", operatorUp);
      assertThat(restored.getPhase()).as(restored.getMessage()).isEqualTo(OperationPhase.Succeeded);
      await("the restored value served over TLS").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
          .until(() -> etcdctl(tls, "get", "/k", "--print-value-only").output().strip().equals("v"));
      Clusters.awaitAvailable(kube, ns, CLUSTER, chart);

      String seen = operatorLogs() + Serialization.asJson(kube.v1().events().inNamespace(ns).list().getItems())
          + Serialization.asJson(kube.v1().events().inNamespace(RELEASE_NAMESPACE).list().getItems())
          + Serialization.asJson(kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).get())
          + Serialization.asJson(kube.resources(EtcdBackup.class).inNamespace(ns).withName("via-helm-backup").get())
          + Serialization.asJson(kube.resources(EtcdRestore.class).inNamespace(ns).withName("via-helm-restore").get());
      List<String> secrets = secretValues(kube, ns);
      assertThat(secrets).hasSizeGreaterThan(4);
      assertThat(secrets).as("credentials or keys in the operator's logs, events or statuses")
          .noneMatch(seen::contains);
      assertThat(seen).doesNotContain("PRIVATE KEY");
      assertThat(operatorLogs()).as("the operator never hit a permission it lacks").doesNotContainIgnoringCase("forbidden");

      // one rule less: the operator may no longer apply the disruption budget, and says so
      ClusterRole role = kube.rbac().clusterRoles().withName("quorum").get();
      PolicyRule budgets = role.getRules().stream().filter(r -> r.getResources().contains("poddisruptionbudgets"))
          .findFirst().orElseThrow();
      budgets.getVerbs().remove("patch");
      kube.resource(role).update();
      await("the missing permission reported").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
          .until(() -> {
            operatorUp.run();
            EtcdCluster current = kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).get();
            return current.getStatus().condition(ConditionTypes.DEGRADED)
                .filter(c -> "True".equals(c.getStatus()) && c.getMessage().contains("permission denied")
                    && c.getMessage().contains("cannot patch resource \"poddisruptionbudgets\""))
                .isPresent();
          });
      assertThat(kube.v1().events().inNamespace(ns).list().getItems())
          .anyMatch(e -> "PermissionDenied".equals(e.getReason()) && e.getMessage().contains("poddisruptionbudgets"));
    } finally {
      kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).delete();
      chart.close();
    }
  }




  /** The logs of every operator container the nodes ran (restarted ones too). */
  private static String operatorLogs() {
    String logs = RIG.rig().podLogs(RELEASE_NAMESPACE);
    assertThat(logs).as("operator pod logs").isNotEmpty();
    return logs;
  }

  /**
   * Every secret value as it could show: the S3 credentials, and each private key as its Secret holds it (base64), as
   * PEM, and as the base64 lines inside the PEM.
   */
  private static List<String> secretValues(KubernetesClient kube, String ns) {
    List<String> values = new ArrayList<>(List.of(RIG.rig().s3().secretKey(), RIG.rig().s3().accessKey()));
    for (String name : List.of(CLUSTER + "-ca", CLUSTER + "-tls", CLUSTER + "-client-tls")) {
      Secret secret = kube.secrets().inNamespace(ns).withName(name).get();
      secret.getData().forEach((key, base64) -> {
        if (key.endsWith(".key")) {
          values.add(base64);
          String pem = ClusterCertificates.decoded(Map.of(key, base64)).get(key);
          List<String> body = pem.lines().filter(l -> !l.startsWith("-----")).toList();
          values.add(String.join("", body));
          body.stream().filter(l -> l.length() >= 16).forEach(values::add);
        }
      });
    }
    return values;
  }

  private static ClientResult etcdctl(List<String> connection, String... args) {
    List<String> all = new ArrayList<>(connection);
    all.addAll(List.of(args));
    return RIG.etcdctl(all.toArray(String[]::new));
  }
}
