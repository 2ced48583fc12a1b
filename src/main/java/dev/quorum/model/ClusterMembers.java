package dev.quorum.model;

import dev.quorum.api.v1alpha1.EtcdCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which objects are a cluster's own: its member pods and the record of how its members were bootstrapped. Objects of
 * a deleted namesake may linger until the garbage collector (or a node agent) takes them; they never count, so every
 * check is by the cluster's uid, not its name.
 */
public final class ClusterMembers {

  private ClusterMembers() {}

  /** Whether the cluster with this uid is the object's controller (the owner reference every child gets). */
  public static boolean controlledBy(HasMetadata child, EtcdCluster cluster) {
    String uid = cluster.getMetadata().getUid();
    return uid != null && child.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && uid.equals(o.getUid()));
  }

  /** The members on record: the cluster's members ConfigMap among {@code configMaps}; none when it has none. */
  public static MemberBootstrapRecords records(EtcdCluster cluster, Collection<ConfigMap> configMaps) {
    String name = EtcdClusterModel.membersConfigMap(cluster.getMetadata().getName());
    return configMaps.stream()
        .filter(c -> name.equals(c.getMetadata().getName()))
        .filter(c -> controlledBy(c, cluster))
        .findFirst()
        .map(c -> MemberBootstrapRecords.parse(c.getData()))
        .orElse(MemberBootstrapRecords.NONE);
  }

  /**
   * The pods running the cluster's members: those it controls or, in StaticPod mode, the kubelets' mirror pods of its
   * static pods (which carry its uid; the pods it controls there only fetch a restore's snapshot).
   */
  public static List<Pod> pods(EtcdCluster cluster, Collection<Pod> pods) {
    boolean staticPods = cluster.getSpec() != null && cluster.getSpec().staticPods();
    return pods.stream()
        .filter(p -> staticPods ? isMirrorOf(p, cluster.getMetadata().getUid()) : controlledBy(p, cluster))
        .toList();
  }

  /** Whether the pod mirrors a static pod of the cluster with this uid (never a deleted namesake's). */
  public static boolean isMirrorOf(Pod pod, String clusterUid) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations != null && annotations.containsKey(Annotations.MIRROR)
        && clusterUid != null && Objects.equals(clusterUid, annotations.get(Annotations.CLUSTER_UID));
  }

  /**
   * Whether a member's data is gone for good: it has no pod, and its data lived in the pod (ephemeral) or its claim is
   * gone. A static pod's data is on its node, where the operator cannot see it: it is never taken as gone.
   */
  public static boolean dataGone(EtcdClusterModel model, Member member, Set<String> podNames,
      Set<String> claimNames) {
    return !podNames.contains(member.name()) && !model.staticPods()
        && (model.ephemeral() || !claimNames.contains(model.claimName(member)));
  }
}
