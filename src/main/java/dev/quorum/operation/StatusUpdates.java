package dev.quorum.operation;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * How every reconciler writes its resource's status: a patch of the status only when it changed (each write wakes the
 * resource's own informer and costs the API server a write), and never on the cached resource itself.
 */
public final class StatusUpdates {

  private static final ObjectMapper JSON = new ObjectMapper();

  private StatusUpdates() {}

  /** Whether {@code desired} differs from {@code current}, compared as the JSON the API server stores. */
  public static boolean changed(Object current, Object desired) {
    if (current == null || desired == null) {
      return current != desired;
    }
    return !JSON.valueToTree(current).equals(JSON.valueToTree(desired));
  }

  /** A status patch to {@code status}, or no update when the resource already has it. */
  public static <S, R extends CustomResource<?, S>> UpdateControl<R> patchIfChanged(R resource, S status,
      Context<R> context) {
    if (!changed(resource.getStatus(), status)) {
      return UpdateControl.noUpdate();
    }
    R updated = context.getControllerConfiguration().getConfigurationService().getResourceCloner().clone(resource);
    updated.setStatus(status);
    return UpdateControl.patchStatus(updated);
  }
}
