package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jboss.logging.Logger;

/** Kubernetes Events about an EtcdCluster, shown by kubectl describe. */
@ApplicationScoped
public class ClusterEvents {

  private static final Logger LOG = Logger.getLogger(ClusterEvents.class);
  static final String COMPONENT = "quorum";

  private final KubernetesClient client;

  public ClusterEvents(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Records a Warning once per distinct problem, not on every periodic reconcile.
   *
   * @return whether the problem is new (and so worth logging too)
   */
  public boolean invalidSpec(EtcdCluster cluster, String message) {
    if (alreadyReported(cluster.getStatus(), message)) {
      return false;
    }
    record(event(cluster, "Warning", Reasons.INVALID_SPEC, message, Instant.now()));
    return true;
  }

  /** Something the operator did to the cluster's members, such as restarting one to roll out a new spec. */
  public void normal(EtcdCluster cluster, String reason, String message) {
    record(event(cluster, "Normal", reason, message, Instant.now()));
  }

  private void record(Event event) {
    try {
      client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
    } catch (RuntimeException e) {
      LOG.warnf(e, "could not record an event for %s/%s", event.getMetadata().getNamespace(),
          event.getInvolvedObject().getName());
    }
  }

  static boolean alreadyReported(EtcdClusterStatus status, String message) {
    return status != null && status.condition(ConditionTypes.DEGRADED)
        .filter(c -> Reasons.INVALID_SPEC.equals(c.getReason()))
        .map(c -> message.equals(c.getMessage()))
        .orElse(false);
  }

  static Event event(EtcdCluster cluster, String type, String reason, String message, Instant now) {
    String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
    return new EventBuilder()
        .withNewMetadata()
        .withGenerateName(cluster.getMetadata().getName() + ".")
        .withNamespace(cluster.getMetadata().getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(cluster.getApiVersion())
            .withKind(cluster.getKind())
            .withName(cluster.getMetadata().getName())
            .withNamespace(cluster.getMetadata().getNamespace())
            .withUid(cluster.getMetadata().getUid())
            .withResourceVersion(cluster.getMetadata().getResourceVersion())
            .build())
        .withType(type)
        .withReason(reason)
        .withMessage(message)
        .withFirstTimestamp(time)
        .withLastTimestamp(time)
        .withCount(1)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT)
        .build();
  }
}
