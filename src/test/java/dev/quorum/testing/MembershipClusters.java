package dev.quorum.testing;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.function.Consumer;

/** What the membership tests do to an EtcdCluster on the rig, and read back from it. */
public final class MembershipClusters {

  private MembershipClusters() {}

  /** A 3-member cluster on small claims, at {@code version} (the default when null). */
  public static void create(KubernetesClient kube, String namespace, String name, String version) {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setVersion(version);
    spec.getStorage().setSize("128Mi");
    EtcdCluster resource = new EtcdCluster();
    resource.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    resource.setSpec(spec);
    kube.resources(EtcdCluster.class).inNamespace(namespace).resource(resource).create();
  }

  /**
   * Changes the spec, as a user's edit would: read, change, write back; read again and retried when the operator
   * wrote the cluster (its status) in between, as kubectl edit would be.
   */
  public static void edit(KubernetesClient kube, String namespace, String name, Consumer<EtcdClusterSpec> change) {
    UserEdits.retryingConflicts(() -> kube.resources(EtcdCluster.class).inNamespace(namespace).withName(name).edit(c -> {
      change.accept(c.getSpec());
      return c;
    }));
  }

  /** The reasons of every event about the cluster, one per event. */
  public static List<String> reasons(KubernetesClient kube, String namespace, String name) {
    return kube.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
  }
}
