package dev.quorum.specs;

import dev.quorum.model.EtcdClusterModel;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Metadata shared by every child object: labels and a controller owner reference. */
public final class ChildMetadata {

  private ChildMetadata() {}

  static ObjectMeta of(EtcdClusterModel model, String name) {
    return builder(model, name).build();
  }

  static ObjectMetaBuilder builder(EtcdClusterModel model, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(model.namespace())
        .withLabels(model.labels())
        .withOwnerReferences(ownerReference(model));
  }

  /** The garbage collector deletes children with their cluster, so no finalizer is needed. */
  public static OwnerReference ownerReference(EtcdClusterModel model) {
    return new OwnerReferenceBuilder()
        .withApiVersion(model.resource().getApiVersion())
        .withKind(model.resource().getKind())
        .withName(model.name())
        .withUid(model.resource().getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
