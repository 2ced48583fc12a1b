package dev.quorum.specs;

import dev.quorum.api.v1alpha1.PvcRetentionPolicy;
import dev.quorum.api.v1alpha1.StorageSpec;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Optional;

/** The data volume claim of one member; none for ephemeral storage. */
public final class MemberClaimBuilder {

  private MemberClaimBuilder() {}

  public static Optional<PersistentVolumeClaim> build(EtcdClusterModel model, Member member) {
    StorageSpec storage = model.storage();
    if (model.ephemeral() || model.staticPods()) {
      // an emptyDir, or a static pod's host path
      return Optional.empty();
    }
    ObjectMetaBuilder metadata = ChildMetadata.builder(model, model.claimName(member))
        .withLabels(model.memberLabels(member));
    if (storage.getPvcRetentionPolicy() != PvcRetentionPolicy.Delete) {
      // no owner: a retained claim outlives its cluster, its data there to restore from
      metadata.withOwnerReferences();
    }
    return Optional.of(new PersistentVolumeClaimBuilder()
        .withMetadata(metadata.build())
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(storage.getStorageClassName())
        .withNewResources().addToRequests("storage", new Quantity(storage.getSize())).endResources()
        .endSpec()
        .build());
  }
}
