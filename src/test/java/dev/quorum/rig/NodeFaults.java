package dev.quorum.rig;

import java.time.Duration;
import java.util.List;

/**
 * What can happen to an etcd member, as tests inflict it: the faults healing is proven against. Written against the
 * node implementation, not the rig's internals, so the same cases can run on other nodes (a real kubelet: the pod's
 * container killed through the runtime, the cut made by rules in the pod's network namespace).
 */
public interface NodeFaults {

  /** Deletes the pod through the API server, as a user or a drained node would; its owner recreates it. */
  void deletePod(String namespace, String pod);

  /** Deletes the claim through the API server; held by its pod until that goes. */
  void deleteClaim(String namespace, String claim);

  /** Kills the container's process (SIGKILL), as a crash or the OOM killer would; the kubelet restarts it. */
  void killProcess(String namespace, String pod, String container);

  /**
   * Kills the container's process and keeps it from starting again for {@code downFor}, as a broken disk or binary
   * would: the kubelet's restarts fail until then.
   */
  void breakContainer(String namespace, String pod, String container, Duration downFor);

  /**
   * Changes one byte of {@code marker} (a value written to the cluster) wherever it lies in the member's database
   * file, under the running etcd, as a failing disk or a bug might: the member's data silently differs from the
   * others', and nothing tells until etcd compares hashes.
   *
   * @return how many copies were changed
   * @throws IllegalStateException when the file holds no copy (yet: etcd writes it within 100 ms)
   */
  int divergeData(String namespace, String pod, String container, byte[] marker);

  /** Drops all traffic between the pod and each of {@code others} (pods of the same namespace), until healed. */
  Cut cutOff(String namespace, String pod, List<String> others);

  /** A cut in the network; healing it twice does no harm. */
  interface Cut extends AutoCloseable {
    void heal();

    @Override
    default void close() {
      heal();
    }
  }
}
