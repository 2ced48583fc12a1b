package dev.quorum.cluster;

import dev.quorum.maintenance.VolumeGrowth;
import dev.quorum.model.Annotations;
import dev.quorum.model.BackendQuota;
import dev.quorum.model.EtcdClusterModel;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Grows the members' volume claims to {@code storage.size} where their StorageClass allows it ({@link VolumeGrowth}
 * decides), and records the size every member's volume has, from which the quota is derived.
 */
final class VolumeExpansion {

  private static final Logger LOG = Logger.getLogger(VolumeExpansion.class);

  private final ChildResources children;
  private final ClusterEvents events;

  VolumeExpansion(ChildResources children, ClusterEvents events) {
    this.children = children;
    this.events = events;
  }

  /** @return why the volumes cannot grow to the spec's size, if they cannot */
  Optional<String> apply(ClusterPass pass) {
    EtcdClusterModel model = pass.model();
    Optional<Long> specBytes = BackendQuota.volumeBytes(model.spec().getStorage().getSize());
    if (model.ephemeral() || model.staticPods() || specBytes.isEmpty()) {
      return Optional.empty();
    }
    List<PersistentVolumeClaim> claims = pass.claims().stream()
        .filter(c -> c.getMetadata().getDeletionTimestamp() == null)
        .filter(c -> model.members().stream().anyMatch(m -> model.claimName(m).equals(c.getMetadata().getName())))
        .toList();
    Map<String, String> cannotExpand = new HashMap<>();
    // read only while a claim is to grow: a settled cluster costs no request for it
    VolumeGrowth.smallerThan(specBytes.get(), claims).stream().map(c -> c.getSpec().getStorageClassName())
        .filter(Objects::nonNull).distinct()
        .forEach(name -> whyNotExpandable(name).ifPresent(why -> cannotExpand.put(name, why)));
    VolumeGrowth growth = VolumeGrowth.plan(specBytes.get(), claims, cannotExpand);
    for (PersistentVolumeClaim claim : growth.expand()) {
      children.requestStorage(claim, model.spec().getStorage().getSize());
      String message = "asked " + claim.getMetadata().getName() + " for " + model.spec().getStorage().getSize()
          + ": the quota grows once every member's volume has";
      LOG.infof("%s: %s", model.key(), message);
      events.normal(model.resource(), Reasons.VOLUME_EXPANDING, message);
    }
    growth.volumeBytes().map(String::valueOf)
        .filter(bytes -> !bytes.equals(annotations(model).get(Annotations.VOLUME_SIZE)))
        .ifPresent(bytes -> children.annotate(model.resource(), Annotations.VOLUME_SIZE, bytes));
    growth.unsupported().ifPresent(why -> events.volumeExpansionUnsupported(model.resource(), why));
    return growth.unsupported();
  }

  private Optional<String> whyNotExpandable(String storageClass) {
    try {
      return children.allowsVolumeExpansion(storageClass) ? Optional.empty() : Optional.of(VolumeGrowth.NO_EXPANSION);
    } catch (KubernetesClientException e) {
      // e.g. a namespace-scoped install without the chart's readNodes: nothing grows, and the cluster says why
      return Optional.of("cannot be read by the operator: " + e.getStatus().getMessage());
    }
  }

  private static Map<String, String> annotations(EtcdClusterModel model) {
    Map<String, String> annotations = model.resource().getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }
}
