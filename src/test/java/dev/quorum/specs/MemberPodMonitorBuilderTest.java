package dev.quorum.specs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.model.EtcdClusterModel;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemberPodMonitorBuilderTest {

  private final EtcdClusterModel model = TestClusters.model(TestClusters.cluster("demo", 3));

  @Test
  void selectsTheClustersMemberPodsAndScrapesTheirMetricsPortByName() {
    GenericKubernetesResource monitor = MemberPodMonitorBuilder.build(model);

    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.getKind()).isEqualTo("PodMonitor");
    assertThat(monitor.getMetadata().getName()).isEqualTo("demo-members");
    assertThat(monitor.getMetadata().getNamespace()).isEqualTo(model.namespace());
    assertThat(monitor.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(owner -> assertThat(owner.getKind()).isEqualTo("EtcdCluster"));
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
    assertThat(spec).containsEntry("selector", Map.of("matchLabels", model.selectorLabels()))
        .containsEntry("podMetricsEndpoints", List.of(Map.of("port", "metrics", "path", "/metrics")));
  }

  @Test
  void theMonitorsPortIsOneEveryMemberPodNamesOnEtcdsPlainHttpMetricsListener() {
    var pod = MemberPodBuilder.build(model, TestClusters.member(model, 0));

    List<ContainerPort> ports = pod.getSpec().getContainers().get(0).getPorts();
    assertThat(ports).filteredOn(p -> "metrics".equals(p.getName())).singleElement()
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(2381));
    assertThat(pod.getMetadata().getLabels()).containsAllEntriesOf(model.selectorLabels());
    assertThat(pod.getSpec().getContainers().get(0).getArgs())
        .anyMatch(a -> a.startsWith("--listen-metrics-urls=http://"));
  }
}
