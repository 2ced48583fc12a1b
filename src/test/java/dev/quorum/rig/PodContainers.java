package dev.quorum.rig;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/** A running container as its node's containerd knows it: the task's process on this machine, found from the pod. */
final class PodContainers {

  /** The container's main process, on the node that runs it. */
  record Running(RigNode node, String containerId, long pid) {
  }

  private final KubernetesClient client;
  private final RigNodes nodes;

  PodContainers(KubernetesClient client, RigNodes nodes) {
    this.client = client;
    this.nodes = nodes;
  }

  /** The running container {@code container} of the pod, or a failure saying why there is none. */
  Running running(String namespace, String podName, String container) {
    Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
    if (pod == null || pod.getSpec().getNodeName() == null) {
      throw new IllegalStateException("no pod " + namespace + "/" + podName + " runs on a node");
    }
    List<ContainerStatus> statuses = pod.getStatus() == null ? List.of() : pod.getStatus().getContainerStatuses();
    ContainerStatus status = statuses.stream().filter(s -> s.getName().equals(container)).findFirst()
        .orElseThrow(() -> new IllegalStateException("container " + container + " of " + namespace + "/" + podName
            + " has not started"));
    if (status.getContainerID() == null || status.getState() == null || status.getState().getRunning() == null) {
      throw new IllegalStateException("container " + container + " of " + namespace + "/" + podName + " does not run");
    }
    String id = status.getContainerID().replaceFirst("^containerd://", "");
    RigNode node = nodes.node(pod.getSpec().getNodeName());
    return new Running(node, id, node.taskPid(id));
  }
}
