package dev.quorum.cluster;

import dev.quorum.api.ConditionTypes;
import dev.quorum.api.EtcdCluster;
import dev.quorum.api.EtcdClusterStatus;
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
    try {
      client.v1().events().inNamespace(cluster.getMetadata().getNamespace())
          .resource(warning(cluster, Reasons.INVALID_SPEC, message, Instant.now())).create();
    } catch (RuntimeException e) {
      LOG.warnf(e, "could not record an event for %s/%s", cluster.getMetadata().getNamespace(),
          cluster.getMetadata().getName());
    }
    return true;
  }

  static boolean alreadyReported(EtcdClusterStatus status, String message) {
    return status != null && status.condition(ConditionTypes.DEGRADED)
        .filter(c -> Reasons.INVALID_SPEC.equals(c.getReason()))
        .map(c -> message.equals(c.getMessage()))
        .orElse(false);
  }

  static Event warning(EtcdCluster cluster, String reason, String message, Instant now) {
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
        .withType("Warning")
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
