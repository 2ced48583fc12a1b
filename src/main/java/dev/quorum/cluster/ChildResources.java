package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.model.ClusterNode;
import dev.quorum.model.Labels;
import dev.quorum.operation.ServerSideApply;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes child objects. Applying an unchanged object with server-side apply is a no-op on the API server (no
 * new resourceVersion), so a steady cluster causes no writes; nothing here may add timestamps or other values
 * that change from one reconcile to the next.
 */
@ApplicationScoped
public class ChildResources {

  /** What the API server answers a patch whose uid is not the object's (it is immutable). */
  private static final int HTTP_UNPROCESSABLE = 422;

  private final KubernetesClient client;

  public ChildResources(KubernetesClient client) {
    this.client = client;
  }

  /** Objects whose spec the operator keeps as it wants it (Services, budget, ConfigMap). */
  public void apply(List<? extends HasMetadata> desired) {
    desired.forEach(o -> ServerSideApply.apply(client, o));
  }

  /** A resource of another project's CRD (a cert-manager Certificate): a 404 when that CRD is not installed. */
  public void apply(ResourceDefinitionContext type, GenericKubernetesResource resource) {
    ServerSideApply.apply(client, type, resource);
  }

  /**
   * Objects that are created once and then replaced, never patched (pods and claims are mostly immutable). An
   * object that exists already (the informer had not seen it yet) is left as it is.
   */
  public void create(List<? extends HasMetadata> objects) {
    for (HasMetadata object : objects) {
      try {
        client.resource(object).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
      }
    }
  }

  /** The object of that kind and name as the API server has it now, or null. */
  public <T extends HasMetadata> T live(Class<T> type, String namespace, String name) {
    return client.resources(type).inNamespace(namespace).withName(name).get();
  }

  /** Every object of that kind in the namespace, as the API server has them now. */
  public <T extends HasMetadata> List<T> list(Class<T> type, String namespace) {
    return client.resources(type).inNamespace(namespace).list().getItems();
  }

  /** Adds or removes a finalizer of an EtcdRecovery (a patch of its latest version; other finalizers stay). */
  public void finalizer(EtcdRecovery recovery, String finalizer, boolean held) {
    client.resources(EtcdRecovery.class).inNamespace(recovery.getMetadata().getNamespace())
        .withName(recovery.getMetadata().getName()).edit(latest -> {
          if (held) {
            latest.addFinalizer(finalizer);
          } else {
            latest.removeFinalizer(finalizer);
          }
          return latest;
        });
  }

  /**
   * Writes an EtcdRecovery's status (the cluster's reconciler carries recoveries out; they have none of their own).
   * Not conditional on the version read: the operator is the status's only writer, and the finalizer it may have just
   * changed on the same recovery would otherwise make the write a conflict, the pass an error, and the recovery wait
   * for the retry.
   */
  public void patchStatus(EtcdRecovery recovery) {
    EtcdRecovery unconditional = Serialization.clone(recovery);
    unconditional.getMetadata().setResourceVersion(null);
    client.resource(unconditional).patchStatus();
  }

  /** A Secret's data as the API server has it now, when the Secret exists (one without data holds an empty map). */
  public Optional<Map<String, String>> secretData(String namespace, String name) {
    return Optional.ofNullable(live(Secret.class, namespace, name))
        .map(secret -> secret.getData() == null ? Map.of() : secret.getData());
  }

  public void delete(HasMetadata object) {
    client.resource(object).delete();
  }

  /** Deletes at once, without waiting for a kubelet to confirm (a pod on a node that no longer answers). */
  public void deleteNow(HasMetadata object) {
    client.resource(object).withGracePeriod(0).delete();
  }

  /** The member pods as the API server has them now, for decisions that must not rest on a stale cache. */
  public List<Pod> livePods(String namespace, String labelKey, String labelValue) {
    return client.pods().inNamespace(namespace).withLabel(labelKey, labelValue).list().getItems();
  }

  /** A cluster's ConfigMaps as the API server has them now. */
  public List<ConfigMap> liveConfigMaps(String namespace, String cluster) {
    return client.configMaps().inNamespace(namespace).withLabel(Labels.CLUSTER, cluster).list().getItems();
  }

  /** Removes one annotation of an object (a JSON merge patch: nothing else changes). */
  public void removeAnnotation(HasMetadata object, String key) {
    client.resource(object).patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"metadata\":{\"annotations\":{\"" + key + "\":null}}}");
  }

  /** Sets one annotation of an object (a JSON merge patch: nothing else changes). */
  public void annotate(HasMetadata object, String key, String value) {
    client.resource(object).patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(
        Map.of("metadata", Map.of("annotations", Map.of(key, value)))));
  }

  /**
   * Sets one label of the object as it was read, or removes it when {@code value} is empty (a JSON merge patch). The
   * patch names the object's uid and resourceVersion: a pod recreated under the same name since (a member replaced),
   * or changed since the cache saw it, is left alone, and the next pass decides again from what it sees then.
   *
   * @return whether the label was changed
   */
  public boolean label(HasMetadata object, String key, Optional<String> value) {
    // written by hand: a null removes the label, and a JSON mapper might leave nulls out
    String patch = "{\"metadata\":{\"uid\":" + Serialization.asJson(object.getMetadata().getUid())
        + ",\"resourceVersion\":" + Serialization.asJson(object.getMetadata().getResourceVersion())
        + ",\"labels\":{" + Serialization.asJson(key) + ":" + value.map(Serialization::asJson).orElse("null") + "}}}";
    try {
      client.resource(object).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND || e.getCode() == HttpURLConnection.HTTP_CONFLICT
          || e.getCode() == HTTP_UNPROCESSABLE) {
        return false; // gone, recreated or changed meanwhile
      }
      throw e;
    }
  }

  /** Whether a StorageClass allows its claims to grow; false when it does not exist. */
  public boolean allowsVolumeExpansion(String storageClass) {
    StorageClass found = client.storage().v1().storageClasses().withName(storageClass).get();
    return found != null && Boolean.TRUE.equals(found.getAllowVolumeExpansion());
  }

  /** Asks a claim for more storage (a JSON merge patch of its request: nothing else changes). */
  public void requestStorage(PersistentVolumeClaim claim, String size) {
    client.resource(claim).patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(
        Map.of("spec", Map.of("resources", Map.of("requests", Map.of("storage", size))))));
  }

  /** Every node, as StaticPod mode places members on them: name, labels and InternalIP. */
  public List<ClusterNode> nodes() {
    return client.nodes().list().getItems().stream().map(node -> new ClusterNode(node.getMetadata().getName(),
        node.getMetadata().getLabels(), node.getStatus() == null || node.getStatus().getAddresses() == null
            ? Optional.empty()
            : node.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType()))
                .map(NodeAddress::getAddress).findFirst()))
        .toList();
  }

  /** Deletes an object of that kind by name; nothing when it is gone already. */
  public void delete(Class<? extends HasMetadata> type, String namespace, String name) {
    client.resources(type).inNamespace(namespace).withName(name).delete();
  }

  /** @return false when the disruption budget refused (HTTP 429): try again later */
  public boolean evict(Pod pod) {
    return client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).evict();
  }

}
