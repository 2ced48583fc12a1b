package dev.quorum.rig;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The rig's storage: a dynamic provisioner of {@code local} PersistentVolumes, as local storage works in production.
 * A claim of the rig's class waits for its first pod; once the scheduler picked a node, a directory on that node
 * becomes the claim's volume, bound to that node by node affinity: its data lives there and nowhere else. A released
 * volume (its claim deleted) is wiped and deleted.
 *
 * <p>A second class, {@value #EXPANDABLE_STORAGE_CLASS}, allows volume expansion, with this provisioner as its resizer
 * (as a CSI driver's external resizer and node plugin would be): a claim asking for more than its volume holds gets
 * it, the volume's capacity first, then the claim's. A directory holds what its node's disk holds, so nothing is
 * done on the node.
 */
public final class LocalVolumeProvisioner implements AutoCloseable {

  static final String STORAGE_CLASS = "rig-local";
  /** Local volumes that may grow. */
  public static final String EXPANDABLE_STORAGE_CLASS = "rig-local-expandable";
  static final String PROVISIONER = "rig.quorum.dev/local-volume";
  private static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
  private static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
  private static final Logger LOG = Logger.getLogger(LocalVolumeProvisioner.class);

  private final KubernetesClient client;
  /** A node's directory for its volumes, by node name. */
  private final Function<String, Path> volumeDirectory;
  private SharedIndexInformer<PersistentVolumeClaim> claims;
  private SharedIndexInformer<PersistentVolume> volumes;

  LocalVolumeProvisioner(KubernetesClient client, Function<String, Path> volumeDirectory) {
    this.client = client;
    this.volumeDirectory = volumeDirectory;
  }

  LocalVolumeProvisioner start() {
    claims = client.persistentVolumeClaims().inAnyNamespace().inform(new ResourceEventHandler<>() {
      public void onAdd(PersistentVolumeClaim claim) {
        provision(claim);
      }

      public void onUpdate(PersistentVolumeClaim old, PersistentVolumeClaim claim) {
        provision(claim);
        resize(claim);
      }

      public void onDelete(PersistentVolumeClaim claim, boolean unknownFinalState) {
      }
    }, 30_000);
    volumes = client.persistentVolumes().inform(new ResourceEventHandler<>() {
      public void onAdd(PersistentVolume volume) {
        reclaim(volume);
      }

      public void onUpdate(PersistentVolume old, PersistentVolume volume) {
        reclaim(volume);
      }

      public void onDelete(PersistentVolume volume, boolean unknownFinalState) {
      }
    }, 30_000);
    return this;
  }

  private static String volumeName(PersistentVolumeClaim claim) {
    return "pvc-" + claim.getMetadata().getUid();
  }

  private void provision(PersistentVolumeClaim claim) {
    Map<String, String> annotations = claim.getMetadata().getAnnotations();
    String node = annotations == null ? null : annotations.get(SELECTED_NODE);
    String storageClass = claim.getSpec().getStorageClassName();
    boolean ours = STORAGE_CLASS.equals(storageClass) || EXPANDABLE_STORAGE_CLASS.equals(storageClass);
    boolean pending = claim.getStatus() == null || "Pending".equals(claim.getStatus().getPhase());
    if (!ours || !pending || node == null || claim.getMetadata().getDeletionTimestamp() != null
        || claim.getSpec().getVolumeName() != null && !claim.getSpec().getVolumeName().isEmpty()) {
      return;
    }
    String name = volumeName(claim);
    if (client.persistentVolumes().withName(name).get() != null) {
      return;
    }
    try {
      Path path = volumeDirectory.apply(node).resolve(name);
      Files.createDirectories(path);
      Quantity size = claim.getSpec().getResources().getRequests().get("storage");
      PersistentVolume volume = new PersistentVolumeBuilder()
          .withNewMetadata().withName(name).addToAnnotations(PROVISIONED_BY, PROVISIONER).endMetadata()
          .withNewSpec()
          .withCapacity(Map.of("storage", size))
          .withAccessModes(claim.getSpec().getAccessModes())
          .withVolumeMode(claim.getSpec().getVolumeMode())
          .withStorageClassName(storageClass)
          .withPersistentVolumeReclaimPolicy("Delete")
          .withNewLocal().withPath(path.toString()).endLocal()
          .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
          .withKey("kubernetes.io/hostname").withOperator("In").withValues(node)
          .endMatchExpression().endNodeSelectorTerm().endRequired().endNodeAffinity()
          .withClaimRef(new ObjectReferenceBuilder().withKind("PersistentVolumeClaim").withApiVersion("v1")
              .withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
              .withUid(claim.getMetadata().getUid()).build())
          .endSpec().build();
      client.persistentVolumes().resource(volume).create();
    } catch (IOException | KubernetesClientException e) {
      LOG.warnf("rig: cannot provision a volume for %s/%s: %s", claim.getMetadata().getNamespace(),
          claim.getMetadata().getName(), e.getMessage());
    }
  }

  /** A bound claim of the expandable class asking for more than its volume holds: the volume, then the claim, grow. */
  private void resize(PersistentVolumeClaim claim) {
    if (!EXPANDABLE_STORAGE_CLASS.equals(claim.getSpec().getStorageClassName()) || claim.getStatus() == null
        || !"Bound".equals(claim.getStatus().getPhase()) || claim.getSpec().getVolumeName() == null) {
      return;
    }
    Quantity requested = claim.getSpec().getResources().getRequests().get("storage");
    Quantity capacity = claim.getStatus().getCapacity() == null ? null : claim.getStatus().getCapacity().get("storage");
    if (requested == null || capacity != null
        && Quantity.getAmountInBytes(requested).compareTo(Quantity.getAmountInBytes(capacity)) <= 0) {
      return;
    }
    try {
      client.persistentVolumes().withName(claim.getSpec().getVolumeName())
          .edit(volume -> {
            volume.getSpec().setCapacity(Map.of("storage", requested));
            return volume;
          });
      client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace())
          .withName(claim.getMetadata().getName()).editStatus(live -> {
            live.getStatus().setCapacity(Map.of("storage", requested));
            return live;
          });
    } catch (KubernetesClientException e) {
      LOG.warnf("rig: cannot grow the volume of %s/%s: %s", claim.getMetadata().getNamespace(),
          claim.getMetadata().getName(), e.getMessage());
    }
  }

  private void reclaim(PersistentVolume volume) {
    Map<String, String> annotations = volume.getMetadata().getAnnotations();
    boolean ours = annotations != null && PROVISIONER.equals(annotations.get(PROVISIONED_BY));
    boolean released = volume.getStatus() != null && ("Released".equals(volume.getStatus().getPhase())
        || "Failed".equals(volume.getStatus().getPhase()));
    if (!ours || !released) {
      return;
    }
    try {
      Rig.deleteRecursively(Path.of(volume.getSpec().getLocal().getPath()));
      client.persistentVolumes().resource(volume).delete();
    } catch (IOException | KubernetesClientException e) {
      LOG.warnf("rig: cannot reclaim the volume %s: %s", volume.getMetadata().getName(), e.getMessage());
    }
  }

  @Override
  public void close() {
    if (claims != null) {
      claims.close();
    }
    if (volumes != null) {
      volumes.close();
    }
  }
}
