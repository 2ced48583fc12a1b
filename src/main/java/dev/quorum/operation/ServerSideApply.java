package dev.quorum.operation;

import dev.quorum.config.QuorumConfig;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * How the operator writes an object it keeps as it wants it: server-side apply under its field manager, forced, as the
 * operator owns these objects and a conflicting manager (a {@code kubectl edit}) is overridden. Applying what is
 * already there changes nothing.
 */
public final class ServerSideApply {

  private ServerSideApply() {}

  public static void apply(KubernetesClient client, HasMetadata desired) {
    client.resource(desired).fieldManager(QuorumConfig.FIELD_MANAGER).forceConflicts().serverSideApply();
  }

  /** A resource of another project's CRD (a cert-manager Certificate): a 404 when that CRD is not installed. */
  public static void apply(KubernetesClient client, ResourceDefinitionContext type, GenericKubernetesResource desired) {
    client.genericKubernetesResources(type).inNamespace(desired.getMetadata().getNamespace()).resource(desired)
        .fieldManager(QuorumConfig.FIELD_MANAGER).forceConflicts().serverSideApply();
  }
}
