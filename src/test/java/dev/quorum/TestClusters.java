package dev.quorum;

import dev.quorum.api.v1alpha1.ClusterMode;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.StaticPodSettings;
import dev.quorum.model.Annotations;
import dev.quorum.model.ClusterNode;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.OperatorSettings;
import dev.quorum.specs.MemberClaimBuilder;
import dev.quorum.specs.MemberPodBuilder;
import dev.quorum.specs.MembersConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** EtcdClusters, their models and member objects as the operator builds them, for unit tests. */
public final class TestClusters {

  public static final String UID = "6f1c9a2e-51d4-4c8e-9b7a-0d2f3e4a5b6c";
  public static final OperatorSettings SETTINGS = new OperatorSettings("cluster.local", "quorum-operator:test");
  /** An etcd release the member pods ran before an upgrade to the default one. */
  public static final String PREVIOUS_VERSION = "3.5.26";
  /** When the API server marked an object for deletion; any fixed time will do. */
  static final String DELETION_TIMESTAMP = "2026-01-02T03:00:00Z";

  private TestClusters() {}

  public static EtcdCluster cluster(String name, int size) {
    return cluster(name, "default", UID, size);
  }

  public static EtcdCluster cluster(String name, String namespace, String uid, int size) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder()
        .withName(name).withNamespace(namespace).withUid(uid).withGeneration(1L).build());
    cluster.getSpec().setSize(size);
    return cluster;
  }

  /** A StaticPod-mode cluster on the nodes labelled {@code etcd=member}. */
  public static EtcdCluster staticPodCluster(String name) {
    EtcdCluster cluster = cluster(name, 3);
    StaticPodSettings staticPod = new StaticPodSettings();
    staticPod.setNodeSelector(Map.of("etcd", "member"));
    cluster.getSpec().setMode(ClusterMode.StaticPod);
    cluster.getSpec().setStaticPod(staticPod);
    return cluster;
  }

  /** Nodes node-0, node-1, ... at 10.0.0.10, 10.0.0.11, ..., those named labelled {@code etcd=member}. */
  public static List<ClusterNode> nodes(int count, int... members) {
    List<ClusterNode> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int index = i;
      boolean member = Arrays.stream(members).anyMatch(m -> m == index);
      nodes.add(new ClusterNode("node-" + i, member ? Map.of("etcd", "member") : Map.of(),
          Optional.of("10.0.0." + (10 + i))));
    }
    return nodes;
  }

  public static EtcdClusterModel staticPodModel(EtcdCluster cluster, MemberBootstrapRecords records,
      List<ClusterNode> nodes) {
    return EtcdClusterModel.of(cluster, SETTINGS, records, Optional.empty(), nodes);
  }

  /** The model of a cluster with nothing on record yet: every member is a founding member. */
  public static EtcdClusterModel model(EtcdCluster cluster) {
    return model(cluster, MemberBootstrapRecords.NONE);
  }

  public static EtcdClusterModel model(EtcdCluster cluster, MemberBootstrapRecords records) {
    return EtcdClusterModel.of(cluster, SETTINGS, records);
  }

  /** What a created cluster has on record: its members ConfigMap, read back as the reconciler reads it. */
  public static MemberBootstrapRecords foundingRecords(EtcdClusterModel model) {
    return MemberBootstrapRecords.parse(MembersConfigMapBuilder.build(model).getData());
  }

  public static Member member(EtcdClusterModel model, int ordinal) {
    return model.members().get(ordinal);
  }

  /** The member's pod as the operator creates it, running, with the kubelet's Ready condition. */
  public static Pod pod(EtcdClusterModel model, int ordinal, boolean ready) {
    return new PodBuilder(MemberPodBuilder.build(model, member(model, ordinal)))
        .editMetadata().withUid(model.memberName(ordinal) + "-uid").endMetadata()
        .withNewStatus()
        .withPhase("Running")
        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .endStatus()
        .build();
  }

  /** StaticPod mode: the kubelet's mirror pod of the member's static pod, named after the member, running. */
  public static Pod mirrorPod(EtcdClusterModel model, int ordinal) {
    Member member = member(model, ordinal);
    return new PodBuilder(MemberPodBuilder.build(model, member))
        .editMetadata().withName(member.name()).withUid(member.name() + "-mirror-uid")
        .addToAnnotations(Annotations.MIRROR, "mirror")
        .addToAnnotations(Annotations.CLUSTER_UID, model.resource().getMetadata().getUid()).endMetadata()
        .withNewStatus().withPhase("Running").endStatus()
        .build();
  }

  /** The member's pod as it was built before the cluster's version changed: outdated under the model's spec. */
  public static Pod outdatedPod(EtcdClusterModel model, int ordinal, boolean ready) {
    EtcdCluster before = Serialization.clone(model.resource());
    before.getSpec().setVersion(PREVIOUS_VERSION);
    return pod(model(before), ordinal, ready);
  }

  /** One pod per member, in ordinal order, ready as given. */
  public static List<Pod> pods(EtcdClusterModel model, boolean... ready) {
    List<Pod> pods = new ArrayList<>();
    for (int ordinal = 0; ordinal < ready.length; ordinal++) {
      pods.add(pod(model, ordinal, ready[ordinal]));
    }
    return pods;
  }

  public static List<Pod> readyPods(EtcdClusterModel model) {
    List<Pod> pods = new ArrayList<>();
    for (int ordinal = 0; ordinal < model.size(); ordinal++) {
      pods.add(pod(model, ordinal, true));
    }
    return pods;
  }

  /** A pod that ended and never runs again, e.g. phase Failed with reason Evicted. */
  public static Pod ended(Pod pod, String phase, String reason) {
    return new PodBuilder(pod)
        .editStatus().withPhase(phase).withReason(reason).withConditions().endStatus()
        .build();
  }

  /** The member's data volume claim as the operator creates it; only for persistent storage. */
  public static PersistentVolumeClaim claim(EtcdClusterModel model, int ordinal) {
    return MemberClaimBuilder.build(model, member(model, ordinal)).orElseThrow();
  }

  public static List<PersistentVolumeClaim> claims(EtcdClusterModel model) {
    return model.members().stream().map(m -> MemberClaimBuilder.build(model, m).orElseThrow()).toList();
  }

  /** Marks the object as being deleted (finalizers or graceful termination still hold it) and returns it. */
  public static <T extends HasMetadata> T terminating(T object) {
    object.getMetadata().setDeletionTimestamp(DELETION_TIMESTAMP);
    return object;
  }
}
