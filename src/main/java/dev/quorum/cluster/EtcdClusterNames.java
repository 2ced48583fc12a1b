package dev.quorum.cluster;

import dev.quorum.api.EtcdCluster;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Names, labels and DNS addresses of everything that belongs to one EtcdCluster. */
public final class EtcdClusterNames {

  public static final int CLIENT_PORT = 2379;
  public static final int PEER_PORT = 2380;
  public static final int METRICS_PORT = 2381;

  public static final String NAME_LABEL = "app.kubernetes.io/name";
  public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String CLUSTER_LABEL = "etcd.quorum.dev/cluster";
  public static final String MANAGED_BY = "quorum";

  private EtcdClusterNames() {}

  public static String name(EtcdCluster cluster) {
    return cluster.getMetadata().getName();
  }

  public static String namespace(EtcdCluster cluster) {
    return cluster.getMetadata().getNamespace();
  }

  /** Headless Service that gives every member a stable DNS name. */
  public static String peerService(EtcdCluster cluster) {
    return name(cluster);
  }

  public static String clientService(EtcdCluster cluster) {
    return name(cluster) + "-client";
  }

  public static String statefulSet(EtcdCluster cluster) {
    return name(cluster);
  }

  public static String podDisruptionBudget(EtcdCluster cluster) {
    return name(cluster);
  }

  /** Pod (and etcd member) name of the StatefulSet ordinal. */
  public static String member(EtcdCluster cluster, int ordinal) {
    return statefulSet(cluster) + "-" + ordinal;
  }

  /** Stable DNS name of a member through the peer Service. */
  public static String memberHost(EtcdCluster cluster, String member, String clusterDomain) {
    return member + "." + peerService(cluster) + "." + namespace(cluster) + ".svc." + clusterDomain;
  }

  public static String clientEndpoint(EtcdCluster cluster, String clusterDomain) {
    return clientService(cluster) + "." + namespace(cluster) + ".svc." + clusterDomain + ":" + CLIENT_PORT;
  }

  /** Labels that select the member pods; they never change, as a StatefulSet selector is immutable. */
  public static Map<String, String> selectorLabels(EtcdCluster cluster) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME_LABEL, "etcd");
    labels.put(INSTANCE_LABEL, name(cluster));
    labels.put(CLUSTER_LABEL, name(cluster));
    return labels;
  }

  /** Labels on every object the operator creates. */
  public static Map<String, String> labels(EtcdCluster cluster) {
    Map<String, String> labels = selectorLabels(cluster);
    labels.put(MANAGED_BY_LABEL, MANAGED_BY);
    return labels;
  }

  /** The selector in the string form a scale subresource reports. */
  public static String selector(EtcdCluster cluster) {
    return selectorLabels(cluster).entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }
}
