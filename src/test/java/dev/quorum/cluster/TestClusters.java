package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdCluster;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** Builds EtcdClusters and member pods for tests. */
final class TestClusters {

  static final String UID = "6f1c9a2e-51d4-4c8e-9b7a-0d2f3e4a5b6c";

  private TestClusters() {}

  static EtcdCluster cluster(String name, int size) {
    return cluster(name, "default", UID, size);
  }

  static EtcdCluster cluster(String name, String namespace, String uid, int size) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder()
        .withName(name).withNamespace(namespace).withUid(uid).withGeneration(1L).build());
    cluster.getSpec().setSize(size);
    return cluster;
  }

  static Pod pod(EtcdCluster cluster, int ordinal, boolean ready) {
    String name = EtcdClusterNames.member(cluster, ordinal);
    return new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(cluster.getMetadata().getNamespace())
        .withLabels(EtcdClusterNames.labels(cluster)).endMetadata()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP("127.0.1." + (ordinal + 1))
        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .endStatus()
        .build();
  }
}
