package dev.quorum.testing;

import dev.quorum.api.v1alpha1.ClusterTls;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.tls.ClusterCertificates;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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

  /**
   * etcdctl's flags for a cluster's client Service with its client Secret's certificate, written to {@code dir} where
   * etcdctl reads it; the endpoint first.
   */
  public static List<String> etcdctlFlags(KubernetesClient kube, String namespace, String cluster, Path dir)
      throws IOException {
    Path files = Files.createDirectories(dir.toAbsolutePath());
    Map<String, String> decoded = ClusterCertificates.decoded(
        kube.secrets().inNamespace(namespace).withName(cluster + "-client-tls").get().getData());
    for (Map.Entry<String, String> file : decoded.entrySet()) {
      Files.writeString(files.resolve(file.getKey()), file.getValue());
    }
    return List.of("--endpoints=https://" + cluster + "-client." + namespace + ".svc.cluster.local:2379",
        "--cacert=" + files.resolve("ca.crt"), "--cert=" + files.resolve("tls.crt"),
        "--key=" + files.resolve("tls.key"));
  }
}
