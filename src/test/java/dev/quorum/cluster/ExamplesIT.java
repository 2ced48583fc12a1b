package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.demo.Demo;
import dev.quorum.rig.RunningOperator;
import dev.quorum.rig.RigSession;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every example in deploy/examples is admitted and becomes an Available etcd cluster as written. */
class ExamplesIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession().withOperator(Map.of());

  @Test
  void everyExampleBecomesAvailable() throws IOException {
    KubernetesClient kube = RIG.client();
    String ns = RIG.namespace();
    RIG.installQuorumCrds();
    List<String> names = new ArrayList<>();
    RunningOperator operator = RIG.operator();
    try (Stream<Path> files = Files.list(Path.of("deploy", "examples"))) {
      for (Path example : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (HasMetadata object : kube.load(Files.newInputStream(example)).items()) {
          kube.resource(object).inNamespace(ns).serverSideApply();
          names.add(object.getMetadata().getName());
        }
      }
      assertThat(names).contains("demo", "production", "scratch");
      for (String name : names) {
        await(name + " Available").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
          operator.assertAlive();
          return Demo.isAvailable(kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns)
              .withName(name).get());
        });
      }
      List<Pod> production = kube.pods().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", "production").list()
          .getItems();
      assertThat(production).hasSize(5).allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getArgs())
          .contains("--quota-backend-bytes=8589934592", "--max-request-bytes=10485760"));
      assertThat(kube.policy().v1().podDisruptionBudget().inNamespace(ns).withName("production").get()
          .getSpec().getMinAvailable().getIntVal()).as("all members but one").isEqualTo(4);
      assertThat(kube.persistentVolumeClaims().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", "scratch").list()
          .getItems()).isEmpty();
      assertThat(kube.pods().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", "scratch").list().getItems())
          .hasSize(3).allSatisfy(p -> assertThat(p.getSpec().getVolumes())
              .anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull()));
    } finally {
      names.forEach(n -> kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns).withName(n).delete());
    }
  }
}
