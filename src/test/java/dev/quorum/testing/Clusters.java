package dev.quorum.testing;

import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.MemberStatus;
import dev.quorum.model.Labels;
import dev.quorum.rig.Pods;
import dev.quorum.rig.RunningOperator;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;

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

  /** The members the cluster's status lists; none while it has no status. */
  public static List<MemberStatus> members(KubernetesClient kube, String namespace, String name) {
    EtcdCluster cluster = kube.resources(EtcdCluster.class).inNamespace(namespace).withName(name).get();
    return cluster == null || cluster.getStatus() == null || cluster.getStatus().getMembers() == null ? List.of()
        : cluster.getStatus().getMembers();
  }

  /**
   * Waits until {@code count} voters are ready as the status lists them and as many member pods are ready (not a
   * learner, nor a pod about to go), failing at once when the operator no longer runs.
   */
  public static void awaitReadyVoters(KubernetesClient kube, String namespace, String name, int count,
      RunningOperator operator) {
    await(namespace + "/" + name + " with " + count + " ready voters").atMost(FORMS_WITHIN)
        .pollInterval(Duration.ofSeconds(1)).until(() -> {
          operator.assertAlive();
          List<Pod> pods = kube.pods().inNamespace(namespace).withLabel(Labels.CLUSTER, name).list().getItems();
          return members(kube, namespace, name).stream().filter(m -> m.getId() != null
              && !Boolean.TRUE.equals(m.getLearner()) && m.isReady()).count() == count
              && pods.stream().filter(Pods::isReady).count() == count;
        });
  }

  public static boolean isAvailable(EtcdCluster cluster) {
    return cluster != null && cluster.getStatus() != null && cluster.getStatus().condition(ConditionTypes.AVAILABLE)
        .map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
