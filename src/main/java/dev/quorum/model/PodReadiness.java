package dev.quorum.model;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;
import java.util.function.BiPredicate;

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

  /** Whether every member has a ready pod (named after it) of which {@code also} holds too. */
  public static boolean everyMemberReady(List<Member> members, List<Pod> pods, BiPredicate<Member, Pod> also) {
    return members.stream().allMatch(member -> pods.stream()
        .filter(p -> member.name().equals(p.getMetadata().getName()))
        .anyMatch(p -> ready(p) && also.test(member, p)));
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
