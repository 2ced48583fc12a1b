package dev.quorum.tls;

import dev.quorum.api.v1alpha1.ClusterTls;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** What TLS tests share: a three-member cluster with small volumes and the TLS settings given. */
public final class TlsClusters {

  private TlsClusters() {}

  public static EtcdCluster create(KubernetesClient kube, String namespace, String name, ClusterTls tls) {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.getStorage().setSize("128Mi");
    spec.setTls(tls);
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    cluster.setSpec(spec);
    return kube.resource(cluster).create();
  }
}
