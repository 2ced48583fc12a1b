package dev.quorum.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;

/** Whether a freshly computed status differs from the stored one, so unchanged status is never written. */
final class StatusChange {

  private static final ObjectMapper JSON = new ObjectMapper();

  private StatusChange() {}

  static boolean changed(EtcdClusterStatus current, EtcdClusterStatus desired) {
    if (current == null || desired == null) {
      return current != desired;
    }
    // compared as JSON trees: what the API server stores is what matters, not Java equality
    return !JSON.valueToTree(current).equals(JSON.valueToTree(desired));
  }
}
