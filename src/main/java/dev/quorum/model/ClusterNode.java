package dev.quorum.model;

import java.util.Map;
import java.util.Optional;

/**
 * A Kubernetes node as StaticPod mode sees it: its name, labels and the address its member listens and is reached at
 * (its InternalIP, as kubeadm's etcd uses).
 */
public record ClusterNode(String name, Map<String, String> labels, Optional<String> address) {

  public ClusterNode {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  public boolean matches(Map<String, String> selector) {
    return selector != null && !selector.isEmpty()
        && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
