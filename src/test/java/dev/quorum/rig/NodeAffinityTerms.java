package dev.quorum.rig;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rig scheduler's reading of a pod's required node affinity, as the real scheduler's: any term may match, and a
 * term matches when all its label expressions and field expressions ({@code metadata.name}, which the DaemonSet
 * controller pins each of its pods to) do.
 */
final class NodeAffinityTerms {

  private NodeAffinityTerms() {}

  static boolean required(Pod pod, String node, Map<String, String> labels) {
    var affinity = pod.getSpec().getAffinity();
    if (affinity == null || affinity.getNodeAffinity() == null
        || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
      return true;
    }
    List<NodeSelectorTerm> terms = affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
        .getNodeSelectorTerms();
    return terms.isEmpty() || terms.stream().anyMatch(term -> matches(term, node, labels));
  }

  private static boolean matches(NodeSelectorTerm term, String node, Map<String, String> labels) {
    List<NodeSelectorRequirement> expressions = Objects.requireNonNullElse(term.getMatchExpressions(), List.of());
    List<NodeSelectorRequirement> fields = Objects.requireNonNullElse(term.getMatchFields(), List.of());
    return expressions.stream().allMatch(e -> matches(e, labels.get(e.getKey())))
        && fields.stream().allMatch(f -> matches(f, "metadata.name".equals(f.getKey()) ? node : null));
  }

  private static boolean matches(NodeSelectorRequirement requirement, String value) {
    List<String> values = Objects.requireNonNullElse(requirement.getValues(), List.of());
    return switch (requirement.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      default -> false;
    };
  }
}
