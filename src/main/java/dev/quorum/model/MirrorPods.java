package dev.quorum.model;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;

/** StaticPod mode: the kubelet's mirror pods of a cluster's static pods, which carry the cluster's uid. */
public final class MirrorPods {

  private MirrorPods() {}

  /** Whether the pod mirrors a static pod of the cluster with this uid (never a deleted namesake's). */
  public static boolean isMirrorOf(Pod pod, String clusterUid) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations != null && annotations.containsKey(Annotations.MIRROR)
        && clusterUid != null && clusterUid.equals(annotations.get(Annotations.CLUSTER_UID));
  }
}
