package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdCluster;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import org.jboss.logging.Logger;

/**
 * Puts a pass that failed into words for the status. One broken cluster must not stop the others: the failure is
 * reported in the status (and, for a permission the operator lacks, once as an event) and the cluster is tried again.
 */
final class ReconcileFailures {

  private static final Logger LOG = Logger.getLogger(ReconcileFailures.class);

  private final ClusterEvents events;

  ReconcileFailures(ClusterEvents events) {
    this.events = events;
  }

  String describe(EtcdCluster cluster, String key, RuntimeException failure) {
    if (failure instanceof SupportingObjects.ForeignObjectException foreign) {
      LOG.warnf("reconciling %s: %s", key, foreign.getMessage());
      return foreign.getMessage();
    }
    if (failure instanceof KubernetesClientException refused
        && refused.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
      // the API server's own words name the verb, resource and namespace; nothing more is needed to fix it
      String denied = "permission denied: " + (refused.getStatus() != null && refused.getStatus().getMessage() != null
          ? refused.getStatus().getMessage() : refused.getMessage())
          + "; the operator's RBAC must grant it (the chart's roles list every rule the operator needs)";
      if (events.permissionDenied(cluster, denied)) {
        LOG.warnf("reconciling %s: %s", key, denied);
      }
      return denied;
    }
    LOG.warnf(failure, "reconciling %s failed", key);
    return "applying the desired objects failed: " + failure.getMessage();
  }
}
