package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Builds conditions that keep their lastTransitionTime while their status stays the same. */
final class Conditions {

  static final String TRUE = "True";
  static final String FALSE = "False";

  private Conditions() {}

  static Condition of(EtcdClusterStatus previous, String type, boolean status, String reason, String message,
      Long generation, Instant now) {
    String value = status ? TRUE : FALSE;
    String since = previous == null ? null : previous.condition(type)
        .filter(c -> value.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime)
        .orElse(null);
    return new ConditionBuilder()
        .withType(type)
        .withStatus(value)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(since != null ? since : now.truncatedTo(ChronoUnit.SECONDS).toString())
        .build();
  }

  /**
   * Whether the cluster has had a quorum: it was Available, or has lost quorum since, or etcd raised CORRUPT (which
   * only a formed cluster can, and under which every member reports not ready). Fewer members ready is then a loss,
   * not a cluster still being created.
   */
  static boolean hadQuorum(EtcdClusterStatus status) {
    return isTrue(status, ConditionTypes.AVAILABLE)
        || quorumLost(status) || hasReason(status, ConditionTypes.AVAILABLE, Reasons.CORRUPT_ALARM);
  }

  /** The last status said the cluster has lost its quorum. */
  static boolean quorumLost(EtcdClusterStatus status) {
    return hasReason(status, ConditionTypes.AVAILABLE, Reasons.QUORUM_LOST);
  }

  static boolean isTrue(EtcdClusterStatus status, String type) {
    return status != null && status.condition(type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }

  static boolean hasReason(EtcdClusterStatus status, String type, String reason) {
    return status != null && status.condition(type).map(c -> reason.equals(c.getReason())).orElse(false);
  }
}
