package dev.quorum.api.v1alpha1;

/** How the members run. */
public enum ClusterMode {
  /** Member pods the operator owns, each with its own volume claim, reached through a headless Service. */
  StatefulSet,
  /**
   * kubeadm-style static pods, one per node matching {@code spec.staticPod.nodeSelector}: host networking, data on a
   * host path, the manifests written into the kubelet's manifest directory by a node agent.
   */
  StaticPod
}
