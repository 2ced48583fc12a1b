package dev.quorum.rig;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Pods as tests on this machine reach them: by their address (the machine routes to every node's pods). */
public final class Pods {

  private static final Duration ADDRESS_WAIT = Duration.ofSeconds(60);

  private Pods() {
  }

  public static boolean isReady(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The pod's address, once its sandbox has one. */
  public static String ip(KubernetesClient client, String namespace, String pod) {
    String[] ip = new String[1];
    await(namespace + "/" + pod + " has an address").atMost(ADDRESS_WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          Pod current = client.pods().inNamespace(namespace).withName(pod).get();
          ip[0] = current == null || current.getStatus() == null ? null : current.getStatus().getPodIP();
          return ip[0] != null && !ip[0].isEmpty();
        });
    return ip[0];
  }

  /** One address a Service sends traffic to, and the pod behind it. */
  public record ServiceEndpoint(String ip, String pod, String podUid) {
  }

  /** Where a Service sends traffic now, as kube-proxy reads it: the ready endpoints of its EndpointSlices. */
  public static List<ServiceEndpoint> serviceEndpoints(KubernetesClient client, String namespace, String service) {
    List<ServiceEndpoint> endpoints = new ArrayList<>();
    for (EndpointSlice slice : client.discovery().v1().endpointSlices().inNamespace(namespace)
        .withLabel("kubernetes.io/service-name", service).list().getItems()) {
      if (slice.getEndpoints() == null) {
        continue;
      }
      for (Endpoint endpoint : slice.getEndpoints()) {
        boolean ready = endpoint.getConditions() == null || !Boolean.FALSE.equals(endpoint.getConditions().getReady());
        if (ready && endpoint.getTargetRef() != null) {
          endpoint.getAddresses().forEach(ip -> endpoints.add(new ServiceEndpoint(ip,
              endpoint.getTargetRef().getName(), endpoint.getTargetRef().getUid())));
        }
      }
    }
    return endpoints;
  }
}
