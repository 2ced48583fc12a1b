package dev.quorum.testing;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Samples an EtcdCluster's status on a thread of its own until closed, handing each sample to {@code sample}: what a
 * test checks about the status all along a change (Available throughout, the leader never lost), not only at its end.
 */
public final class ClusterStatusWatch implements AutoCloseable {

  public static final Duration EVERY = Duration.ofMillis(100);

  private final Thread thread;

  public ClusterStatusWatch(KubernetesClient kube, String namespace, String cluster, Consumer<EtcdClusterStatus> sample) {
    thread = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          EtcdCluster c = kube.resources(EtcdCluster.class).inNamespace(namespace).withName(cluster).get();
          if (c != null && c.getStatus() != null) {
            sample.accept(c.getStatus());
          }
          Thread.sleep(EVERY.toMillis());
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          // the API server busy: look again
        }
      }
    }, "status-watch-" + cluster);
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops sampling; once it returns, no sample is handed over any more. */
  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
