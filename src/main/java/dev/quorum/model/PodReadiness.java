package dev.quorum.model;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

/** Small helpers about member pods. */
public final class PodReadiness {

  private PodReadiness() {}

  /** Kubernetes says the pod is ready, and it is not going away. */
  public static boolean ready(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null
        || pod.getStatus().getConditions() == null) {
      return false;
    }
    return pod.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .map(PodCondition::getStatus)
        .anyMatch("True"::equals);
  }

  /** Member ordinal of a pod name such as demo-2; -1 when there is none. */
  public static int ordinal(String podName) {
    int dash = podName.lastIndexOf('-');
    try {
      return dash < 0 ? -1 : Integer.parseInt(podName.substring(dash + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
