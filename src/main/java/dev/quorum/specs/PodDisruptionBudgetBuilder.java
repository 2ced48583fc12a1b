package dev.quorum.specs;

import dev.quorum.model.EtcdClusterModel;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/** Keeps voluntary disruptions (drains, evictions) from taking the cluster below quorum. */
public final class PodDisruptionBudgetBuilder {

  private PodDisruptionBudgetBuilder() {}

  public static PodDisruptionBudget build(EtcdClusterModel model) {
    return new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder()
        .withMetadata(ChildMetadata.of(model, model.podDisruptionBudget()))
        .withNewSpec()
        .withMinAvailable(new IntOrString(model.quorum()))
        .withNewSelector()
        .withMatchLabels(model.selectorLabels())
        .endSelector()
        .endSpec()
        .build();
  }
}
