package dev.quorum.cluster;

import dev.quorum.api.EtcdCluster;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;

/** ClusterIP Service clients use; it only routes to ready members. */
public final class ClientServiceBuilder {

  private ClientServiceBuilder() {}

  public static Service build(EtcdCluster cluster) {
    return new ServiceBuilder()
        .withMetadata(ChildMetadata.of(cluster, EtcdClusterNames.clientService(cluster)))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(EtcdClusterNames.selectorLabels(cluster))
        .withPorts(new ServicePortBuilder().withName("client").withProtocol("TCP")
            .withPort(EtcdClusterNames.CLIENT_PORT)
            .withTargetPort(new IntOrString(EtcdClusterNames.CLIENT_PORT))
            .build())
        .endSpec()
        .build();
  }
}
