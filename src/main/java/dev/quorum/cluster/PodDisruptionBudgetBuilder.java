package dev.quorum.cluster;

import dev.quorum.api.EtcdCluster;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/** Keeps voluntary disruptions (drains, evictions) from taking the cluster below quorum. */
public final class PodDisruptionBudgetBuilder {

  private PodDisruptionBudgetBuilder() {}

  public static PodDisruptionBudget build(EtcdCluster cluster) {
    return new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder()
        .withMetadata(ChildMetadata.of(cluster, EtcdClusterNames.podDisruptionBudget(cluster)))
        .withNewSpec()
        .withMinAvailable(new IntOrString(Quorum.quorum(cluster.getSpec().getSize())))
        .withNewSelector()
        .withMatchLabels(EtcdClusterNames.selectorLabels(cluster))
        .endSelector()
        .endSpec()
        .build();
  }
}
