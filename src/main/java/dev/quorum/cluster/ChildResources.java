package dev.quorum.cluster;

import dev.quorum.config.QuorumConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Applies desired child objects with server-side apply. Applying an unchanged object is a no-op on
 * the API server (no new resourceVersion), so a steady cluster causes no writes; nothing here may add
 * timestamps or other values that change from one reconcile to the next.
 */
@ApplicationScoped
public class ChildResources {

  private final KubernetesClient client;
  private final String fieldManager;

  public ChildResources(KubernetesClient client, QuorumConfig config) {
    this.client = client;
    this.fieldManager = config.fieldManager();
  }

  public void apply(List<HasMetadata> desired) {
    desired.forEach(this::apply);
  }

  private void apply(HasMetadata object) {
    // force: the operator owns these objects; a conflicting manager (kubectl edit) is overridden
    client.resource(object).fieldManager(fieldManager).forceConflicts().serverSideApply();
  }
}
