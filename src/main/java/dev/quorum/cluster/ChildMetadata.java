package dev.quorum.cluster;

import dev.quorum.api.EtcdCluster;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Metadata shared by every child object: labels and a controller owner reference. */
final class ChildMetadata {

  private ChildMetadata() {}

  static ObjectMeta of(EtcdCluster cluster, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(EtcdClusterNames.namespace(cluster))
        .withLabels(EtcdClusterNames.labels(cluster))
        .withOwnerReferences(ownerReference(cluster))
        .build();
  }

  /** The garbage collector deletes children with their cluster, so no finalizer is needed. */
  static OwnerReference ownerReference(EtcdCluster cluster) {
    return new OwnerReferenceBuilder()
        .withApiVersion(cluster.getApiVersion())
        .withKind(cluster.getKind())
        .withName(cluster.getMetadata().getName())
        .withUid(cluster.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
