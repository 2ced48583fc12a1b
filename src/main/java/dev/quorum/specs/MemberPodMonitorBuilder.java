package dev.quorum.specs;

import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.EtcdPorts;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus Operator's PodMonitor of a cluster's members: etcd's own metrics (disk fsync, peer round trips,
 * proposals, its database) from each member's metrics listener, which stays plain HTTP on a TLS cluster too. Kept
 * by the operator when {@code quorum.metrics.member-pod-monitors} is on and the resource is served; not for StaticPod
 * clusters, whose members share their node's network and name no port (scrape the nodes' :2381).
 */
public final class MemberPodMonitorBuilder {

  public static final ResourceDefinitionContext POD_MONITORS = new ResourceDefinitionContext.Builder()
      .withGroup("monitoring.coreos.com").withVersion("v1").withKind("PodMonitor").withPlural("podmonitors")
      .withNamespaced(true).build();
  static final String METRICS_PATH = "/metrics";

  private MemberPodMonitorBuilder() {}

  public static String name(EtcdClusterModel model) {
    return model.name() + "-members";
  }

  public static GenericKubernetesResource build(EtcdClusterModel model) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(POD_MONITORS.getGroup() + "/" + POD_MONITORS.getVersion()).withKind(POD_MONITORS.getKind())
        .withMetadata(ChildMetadata.of(model, name(model)))
        .addToAdditionalProperties("spec", Map.of(
            "selector", Map.of("matchLabels", model.selectorLabels()),
            "podMetricsEndpoints", List.of(Map.of("port", EtcdPorts.METRICS_NAME, "path", METRICS_PATH))))
        .build();
  }
}
