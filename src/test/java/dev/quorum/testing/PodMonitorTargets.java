package dev.quorum.testing;

import dev.quorum.rig.PrometheusServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the Prometheus Operator makes of a PodMonitor, for the rig's Prometheus (which runs without the operator and
 * without service discovery): one scrape job per endpoint, each target a running pod the selector matches, at its
 * IP and the container port the endpoint names, labelled namespace, pod and container as the operator labels them.
 */
public final class PodMonitorTargets {

  private PodMonitorTargets() {}

  /** The PodMonitor's jobs, from the pods that run now. */
  @SuppressWarnings("unchecked")
  public static List<PrometheusServer.ScrapeJob> render(KubernetesClient kube, GenericKubernetesResource monitor) {
    Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
    Map<String, String> matchLabels = (Map<String, String>) ((Map<String, Object>) spec.get("selector"))
        .get("matchLabels");
    List<String> namespaces = namespaces(monitor, spec);
    List<Pod> pods = new ArrayList<>();
    for (String namespace : namespaces) {
      pods.addAll(kube.pods().inNamespace(namespace).withLabels(matchLabels).list().getItems());
    }
    List<PrometheusServer.ScrapeJob> jobs = new ArrayList<>();
    List<Map<String, Object>> endpoints = (List<Map<String, Object>>) spec.get("podMetricsEndpoints");
    for (int i = 0; i < endpoints.size(); i++) {
      Map<String, Object> endpoint = endpoints.get(i);
      String port = (String) endpoint.get("port");
      List<PrometheusServer.Target> targets = new ArrayList<>();
      for (Pod pod : pods) {
        if (pod.getStatus() == null || pod.getStatus().getPodIP() == null
            || !"Running".equals(pod.getStatus().getPhase())) {
          continue;
        }
        for (Container container : pod.getSpec().getContainers()) {
          for (ContainerPort named : container.getPorts()) {
            if (port.equals(named.getName())) {
              Map<String, String> labels = new LinkedHashMap<>();
              labels.put("namespace", pod.getMetadata().getNamespace());
              labels.put("pod", pod.getMetadata().getName());
              labels.put("container", container.getName());
              targets.add(new PrometheusServer.Target(pod.getStatus().getPodIP() + ":" + named.getContainerPort(),
                  labels));
            }
          }
        }
      }
      // the operator's job name: podMonitor/<namespace>/<name>/<endpoint index>
      jobs.add(new PrometheusServer.ScrapeJob("podMonitor/" + monitor.getMetadata().getNamespace() + "/"
          + monitor.getMetadata().getName() + "/" + i, (String) endpoint.getOrDefault("path", "/metrics"),
          Boolean.TRUE.equals(endpoint.get("honorLabels")), targets));
    }
    return jobs;
  }

  @SuppressWarnings("unchecked")
  private static List<String> namespaces(GenericKubernetesResource monitor, Map<String, Object> spec) {
    Map<String, Object> selector = (Map<String, Object>) spec.get("namespaceSelector");
    if (selector != null && selector.get("matchNames") instanceof List<?> names && !names.isEmpty()) {
      return (List<String>) names;
    }
    return List.of(monitor.getMetadata().getNamespace());
  }
}
