package dev.quorum.cluster;

import dev.quorum.model.Annotations;
import dev.quorum.model.ClusterMembers;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import dev.quorum.model.Member;
import dev.quorum.specs.MemberPodBuilder;
import dev.quorum.specs.RestoreContainers;
import dev.quorum.specs.StaticPodManifestBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * StaticPod mode: the members' pods are the kubelet's mirror pods of the manifests the node agents write. A member is
 * started by writing its manifest's ConfigMap, restarted by writing a new manifest into it, and stopped by deleting
 * it. A manifest is written only to start or roll its member: the kubelet restarts a static pod whenever its file
 * changes.
 */
final class StaticPodMembers {

  private StaticPodMembers() {}

  /**
   * The cluster's mirror pods (never a deleted namesake's), each only once it runs the manifest its ConfigMap holds:
   * until the kubelet has restarted a member for a new manifest, the member counts as being recreated.
   */
  static List<Pod> mirrorPods(EtcdClusterModel model, List<Pod> pods, List<ConfigMap> configMaps) {
    return pods.stream()
        .filter(p -> ClusterMembers.isMirrorOf(p, model.resource().getMetadata().getUid()))
        .filter(p -> manifestOf(model, p.getMetadata().getName(), configMaps)
            .map(c -> Objects.equals(StaticPodManifestBuilder.shapeHash(c),
                annotation(p, Annotations.SHAPE_HASH).orElse(null)))
            .orElse(true))
        .toList();
  }

  /**
   * The cluster's mirror pods as they run, whichever manifest that is: what a recovery must see, since a member whose
   * new manifest the kubelet has not started yet still runs the old one.
   */
  static List<Pod> runningMirrorPods(EtcdClusterModel model, List<Pod> pods) {
    return pods.stream().filter(p -> ClusterMembers.isMirrorOf(p, model.resource().getMetadata().getUid())).toList();
  }

  /** The members whose manifest's ConfigMap exists: their node agents keep them running. */
  static Set<String> withManifest(EtcdClusterModel model, List<ConfigMap> configMaps) {
    return manifests(model, configMaps).stream().map(c -> c.getMetadata().getLabels().get(Labels.MEMBER))
        .filter(Objects::nonNull).collect(Collectors.toSet());
  }

  /** The ConfigMaps holding the cluster's manifests (the members' and those of members leaving). */
  static List<ConfigMap> manifests(EtcdClusterModel model, List<ConfigMap> configMaps) {
    return configMaps.stream().filter(c -> c.getMetadata().getLabels() != null
            && model.name().equals(c.getMetadata().getLabels().get(Labels.CLUSTER))
            && c.getMetadata().getLabels().containsKey(Labels.STATIC_POD_NODE))
        .filter(c -> c.getMetadata().getUid() != null && c.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  /** The ConfigMap holding a member's manifest, if it exists. */
  static Optional<ConfigMap> manifestOf(EtcdClusterModel model, String member, List<ConfigMap> configMaps) {
    String name = model.staticPod().manifestConfigMap(member);
    return configMaps.stream().filter(c -> name.equals(c.getMetadata().getName()))
        .filter(c -> Objects.equals(c.getMetadata().getLabels().get(Labels.CLUSTER), model.name()))
        .findFirst();
  }

  /**
   * What starts the members whose ConfigMap does not exist yet: their manifests, and for a member that restores a
   * snapshot first the pod that fetches it into its data directory (its manifest follows once that pod succeeded).
   *
   * @param waiting why a member does not start yet
   */
  record Start(List<ConfigMap> manifests, List<Pod> fetchPods, List<String> waiting) {}

  static Start toStart(EtcdClusterModel model, List<Pod> podsToCreate, List<ConfigMap> configMaps,
      List<Pod> cachedPods) {
    List<ConfigMap> manifests = new ArrayList<>();
    List<Pod> fetchPods = new ArrayList<>();
    List<String> waiting = new ArrayList<>();
    List<Member> starting = podsToCreate.stream().map(pod -> member(model, memberOf(pod))).flatMap(Optional::stream)
        .filter(member -> manifestOf(model, member.name(), configMaps).isEmpty()).toList();
    for (Member member : starting) {
      Optional<Pod> fetch = RestoreContainers.fetchPod(model, member);
      Optional<Pod> fetched = fetch.flatMap(f -> cachedPods.stream()
          .filter(p -> p.getMetadata().getName().equals(f.getMetadata().getName())).findFirst());
      if (fetch.isEmpty() || fetched.filter(p -> "Succeeded".equals(phase(p))).isPresent()) {
        manifests.add(StaticPodManifestBuilder.build(model, member));
      } else if (fetched.isEmpty()) {
        fetchPods.add(fetch.get());
        waiting.add(member.name() + " starts once its snapshot is fetched on node " + model.staticPod().nodeOf(member));
      } else {
        waiting.add(member.name() + " starts once its snapshot is fetched on node " + model.staticPod().nodeOf(member)
            + " (pod " + fetched.get().getMetadata().getName() + ": " + phase(fetched.get()) + ")");
      }
    }
    return new Start(manifests, fetchPods, waiting);
  }

  /** The pods that fetched the snapshots of a restore, once every member installed it. */
  static List<Pod> fetchPods(EtcdClusterModel model, List<Pod> cachedPods) {
    return model.members().stream().map(member -> RestoreContainers.fetchPodName(model, member))
        .flatMap(name -> cachedPods.stream().filter(p -> p.getMetadata().getName().equals(name)))
        .toList();
  }

  private static String phase(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
  }

  /** The current manifest of the member whose pod this is, which restarts it once its node agent writes it. */
  static Optional<ConfigMap> restarted(EtcdClusterModel model, Pod pod) {
    return member(model, memberOf(pod)).map(member -> StaticPodManifestBuilder.build(model, member));
  }

  /** The member a pod or manifest is of: a manifest's pod is named after the cluster, its mirror pod after the member. */
  static String memberOf(Pod pod) {
    return pod.getMetadata().getLabels().get(Labels.MEMBER);
  }

  private static Optional<Member> member(EtcdClusterModel model, String name) {
    return model.members().stream().filter(m -> m.name().equals(name)).findFirst();
  }

  private static Optional<String> annotation(Pod pod, String key) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations == null ? Optional.empty() : Optional.ofNullable(annotations.get(key));
  }
}
