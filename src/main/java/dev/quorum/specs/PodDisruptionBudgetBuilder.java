package dev.quorum.specs;

import dev.quorum.model.EtcdClusterModel;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/**
 * Lets voluntary disruptions (drains, evictions) take one member at a time, whatever the size: a quorum-based
 * budget would let a drain stop two of five members at once, leaving no room for a failure or for the member a
 * membership change or roll is restarting.
 */
public final class PodDisruptionBudgetBuilder {

  private PodDisruptionBudgetBuilder() {}

  public static PodDisruptionBudget build(EtcdClusterModel model) {
    return new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder()
        .withMetadata(ChildMetadata.of(model, model.podDisruptionBudget()))
        .withNewSpec()
        .withMinAvailable(new IntOrString(model.minAvailableMembers()))
        .withNewSelector()
        .withMatchLabels(model.selectorLabels())
        .endSelector()
        .endSpec()
        .build();
  }
}
