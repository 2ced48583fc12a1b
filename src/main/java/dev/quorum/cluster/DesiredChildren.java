package dev.quorum.cluster;

import dev.quorum.api.EtcdCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/** Everything one EtcdCluster needs in Kubernetes, in the order it should be applied. */
public final class DesiredChildren {

  private DesiredChildren() {}

  public static List<HasMetadata> of(EtcdCluster cluster, OperatorDefaults defaults) {
    return List.of(
        // the peer Service first: members resolve each other through it as soon as they start
        PeerServiceBuilder.build(cluster),
        ClientServiceBuilder.build(cluster),
        StatefulSetBuilder.build(cluster, defaults),
        PodDisruptionBudgetBuilder.build(cluster));
  }
}
