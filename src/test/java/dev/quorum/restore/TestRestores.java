package dev.quorum.restore;

import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.rig.OperatorProcess;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;

/** What restore tests share. */
public final class TestRestores {

  private TestRestores() {}

  /** Waits until the EtcdRestore has Succeeded or Failed (failing at once if the operator exits); its status. */
  public static EtcdRestoreStatus awaitFinished(KubernetesClient kube, String namespace, String name,
      OperatorProcess operator) {
    await(name + " finished").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() -> {
      if (!operator.isAlive()) {
        throw new IllegalStateException("the operator exited:\n" + operator.logTail(40));
      }
      EtcdRestore current = kube.resources(EtcdRestore.class).inNamespace(namespace).withName(name).get();
      return current.getStatus() != null && current.getStatus().getPhase() != null
          && current.getStatus().getPhase().finished();
    });
    return kube.resources(EtcdRestore.class).inNamespace(namespace).withName(name).get().getStatus();
  }
}
