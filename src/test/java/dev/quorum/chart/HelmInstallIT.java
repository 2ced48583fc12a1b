package dev.quorum.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.demo.Demo;
import dev.quorum.rig.Helm;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.RigSession;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a user does: {@code helm install} the chart, then apply an EtcdCluster. The operator runs as the chart's
 * pods (two replicas, so with leader election) with the chart's ServiceAccount and least-privilege RBAC,
 * in-cluster style (projected token and CA), and still forms a real etcd cluster: proof that the RBAC the chart
 * grants is enough and that a standby replica does not block the rollout.
 */
class HelmInstallIT {

  static final String RELEASE_NAMESPACE = "quorum-system";

  @RegisterExtension
  static final RigSession RIG = new RigSession();

  @Test
  void helmInstalledOperatorFormsAClusterWithTheChartsServiceAccount() throws Exception {
    KubernetesClient kube = RIG.client();
    OperatorProcess.registerImage(RIG.rig());
    Helm helm = Helm.of(RIG.rig().tools());
    String kubeconfig = "--kubeconfig=" + RIG.rig().controlPlane().kubeconfig();
    Helm.Result install = helm.run(Duration.ofMinutes(4), List.of("install", "quorum", "helm/quorum", kubeconfig,
        "--namespace", RELEASE_NAMESPACE, "--create-namespace", "--set", "replicaCount=2", "--wait", "--timeout", "3m"));
    try {
      assertThat(install.exitCode()).as(install.toString()).isZero();
      List<Pod> replicas = kube.pods().inNamespace(RELEASE_NAMESPACE).withLabel("app.kubernetes.io/name", "quorum")
          .list().getItems();
      assertThat(replicas).hasSize(2).allSatisfy(p -> assertThat(p.getSpec().getServiceAccountName()).isEqualTo("quorum"));
      var lease = await("a replica leads").atMost(Duration.ofSeconds(60)).until(() -> kube.leases()
          .inNamespace(RELEASE_NAMESPACE).list().getItems().stream()
          .filter(l -> l.getSpec().getHolderIdentity() != null).findFirst(), java.util.Optional::isPresent).get();
      Pod operator = replicas.stream().filter(p -> p.getMetadata().getName().equals(lease.getSpec().getHolderIdentity()))
          .findFirst().orElseThrow(() -> new AssertionError("lease held by " + lease.getSpec().getHolderIdentity()
              + ", not by an operator pod"));

      String ns = RIG.namespace();
      kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns).resource(new GenericKubernetesResourceBuilder()
          .withApiVersion("etcd.quorum.dev/v1alpha1").withKind("EtcdCluster")
          .withNewMetadata().withName("via-helm").withNamespace(ns).endMetadata()
          .addToAdditionalProperties("spec", Map.of("size", 3)).build()).create();
      await("EtcdCluster via-helm Available, reconciled by the chart's operator pod").atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(1)).until(() -> Demo.isAvailable(
              kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns).withName("via-helm").get()));
      assertThat(RIG.etcdctl("--endpoints=http://via-helm-client." + ns + ".svc.cluster.local:2379", "put", "k", "v")
          .output()).contains("OK");

      Path log = RIG.rig().logs().resolve("pods").resolve(RELEASE_NAMESPACE + "_" + operator.getMetadata().getName()
          + "_" + operator.getSpec().getContainers().get(0).getName() + ".log");
      assertThat(Files.readString(log)).as("the operator never hit a permission it lacks").doesNotContainIgnoringCase("forbidden");
    } finally {
      kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(RIG.namespace()).withName("via-helm").delete();
      helm.run(Duration.ofMinutes(2), List.of("uninstall", "quorum", kubeconfig, "--namespace", RELEASE_NAMESPACE, "--wait"));
    }
  }
}
