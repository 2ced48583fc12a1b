package dev.quorum.testing;

import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.rig.RunningOperator;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;

/** EtcdClusters as the tests wait for them. */
public final class Clusters {

  /** Time for a new cluster to form on the rig, with room for a slow machine. */
  public static final Duration FORMS_WITHIN = Duration.ofMinutes(3);

  private Clusters() {
  }

  /**
   * Waits until the cluster is Available with every member ready (Available alone comes with a quorum), failing at once
   * when the operator no longer runs.
   */
  public static EtcdCluster awaitAvailable(KubernetesClient kube, String namespace, String name,
      RunningOperator operator) {
    EtcdCluster[] available = new EtcdCluster[1];
    await(namespace + "/" + name + " Available with every member ready").atMost(FORMS_WITHIN)
        .pollInterval(Duration.ofMillis(500)).until(() -> {
          operator.assertAlive();
          EtcdCluster cluster = kube.resources(EtcdCluster.class).inNamespace(namespace).withName(name).get();
          available[0] = cluster;
          return isAvailable(cluster) && cluster.getStatus().getMembers() != null
              && !cluster.getStatus().getMembers().isEmpty()
              && cluster.getStatus().getReadyMembers() == cluster.getStatus().getMembers().size();
        });
    return available[0];
  }

  public static boolean isAvailable(EtcdCluster cluster) {
    return cluster != null && cluster.getStatus() != null && cluster.getStatus().condition(ConditionTypes.AVAILABLE)
        .map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
