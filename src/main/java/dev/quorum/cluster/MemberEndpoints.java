package dev.quorum.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the operator reaches each member: its pod IP, not its DNS name, so it works from outside the
 * cluster network's DNS and on a local rig where pods are processes on loopback addresses.
 */
final class MemberEndpoints {

  private MemberEndpoints() {}

  /** Pod name to http(s)://podIP:2379, for running pods that have an IP and are not going away. */
  static Map<String, String> byPodName(List<Pod> pods, String scheme) {
    Map<String, String> endpoints = new TreeMap<>();
    for (Pod pod : pods) {
      if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null) {
        continue;
      }
      String ip = pod.getStatus().getPodIP();
      if (ip == null || ip.isEmpty() || !"Running".equals(pod.getStatus().getPhase())) {
        continue;
      }
      String host = ip.contains(":") ? "[" + ip + "]" : ip;
      endpoints.put(pod.getMetadata().getName(), scheme + "://" + host + ":" + EtcdClusterNames.CLIENT_PORT);
    }
    return endpoints;
  }
}
