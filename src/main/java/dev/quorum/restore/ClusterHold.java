package dev.quorum.restore;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.model.Annotations;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The hold an in-place restore has on its cluster: the annotation {@link Annotations#RESTORE_IN_PROGRESS} naming the
 * EtcdRestore. While a running restore holds a cluster, the cluster's reconciler leaves its members alone (the restore
 * stops them and rewrites their records). The hold is the lock between restores too: it is taken only if the cluster is
 * still as read, so of two restores of one cluster only one gets it.
 */
@ApplicationScoped
public class ClusterHold {

  /** How soon to look again when the cluster changed between reading it and taking the hold. */
  public static final Duration CHANGED_MEANWHILE = Duration.ofMillis(200);
  private static final Logger LOG = Logger.getLogger(ClusterHold.class);

  private final KubernetesClient kube;

  public ClusterHold(KubernetesClient kube) {
    this.kube = kube;
  }

  /** The EtcdRestore the cluster's annotation names, running or not. */
  public static Optional<String> holder(EtcdCluster cluster) {
    Map<String, String> annotations = cluster.getMetadata().getAnnotations();
    return Optional.ofNullable(annotations == null ? null : annotations.get(Annotations.RESTORE_IN_PROGRESS));
  }

  /** Whether that EtcdRestore exists and has not finished. */
  public boolean stillRunning(String namespace, String restore) {
    EtcdRestore other = kube.resources(EtcdRestore.class).inNamespace(namespace).withName(restore).get();
    return other != null && other.inProgress();
  }

  /**
   * The EtcdRestore that holds the cluster and is still in progress. An annotation left by a restore that was deleted
   * or has finished is removed, so a cluster is never held by nobody.
   */
  public Optional<String> runningHolder(EtcdCluster cluster) {
    Optional<String> holder = holder(cluster);
    if (holder.isEmpty() || stillRunning(cluster.getMetadata().getNamespace(), holder.get())) {
      return holder;
    }
    LOG.infof("%s/%s: EtcdRestore %s is gone or finished; the cluster is no longer held for it",
        cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), holder.get());
    kube.resource(cluster).patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"metadata\":{\"annotations\":{\"" + Annotations.RESTORE_IN_PROGRESS + "\":null}}}");
    return Optional.empty();
  }

  /**
   * Holds the cluster for {@code restore}, only if it is still as read: false when it changed meanwhile (a restore
   * that took it, say), to be looked at again after {@link #CHANGED_MEANWHILE}.
   */
  public boolean lock(EtcdCluster cluster, String restore) {
    try {
      annotate(cluster, "\"" + restore + "\"");
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return false;
      }
      throw e;
    }
  }

  /** Releases the cluster (as it is now) if {@code restore} holds it; never another restore's hold. */
  public void release(EtcdCluster cluster, String restore) {
    EtcdCluster live = kube.resources(EtcdCluster.class).inNamespace(cluster.getMetadata().getNamespace())
        .withName(cluster.getMetadata().getName()).get();
    if (live != null && holder(live).filter(restore::equals).isPresent()) {
      annotate(live, "null");
    }
  }

  /** Sets (a JSON string) or removes ({@code null}) the annotation, only if the cluster is still as read. */
  private void annotate(EtcdCluster cluster, String jsonValue) {
    kube.resources(EtcdCluster.class).inNamespace(cluster.getMetadata().getNamespace())
        .withName(cluster.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"resourceVersion\":\""
            + cluster.getMetadata().getResourceVersion() + "\",\"annotations\":{\"" + Annotations.RESTORE_IN_PROGRESS
            + "\":" + jsonValue + "}}}");
  }
}
