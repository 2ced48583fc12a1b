package dev.quorum.cluster;

import dev.quorum.api.EtcdCluster;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;

/** Headless Service giving each member the DNS name its peers and clients reach it by. */
public final class PeerServiceBuilder {

  private PeerServiceBuilder() {}

  public static Service build(EtcdCluster cluster) {
    return new ServiceBuilder()
        .withMetadata(ChildMetadata.of(cluster, EtcdClusterNames.peerService(cluster)))
        .withNewSpec()
        .withClusterIP("None")
        // members must resolve each other before they are ready, or the first quorum never forms
        .withPublishNotReadyAddresses(true)
        .withSelector(EtcdClusterNames.selectorLabels(cluster))
        .withPorts(
            new ServicePortBuilder().withName("peer").withProtocol("TCP")
                .withPort(EtcdClusterNames.PEER_PORT).build(),
            new ServicePortBuilder().withName("client").withProtocol("TCP")
                .withPort(EtcdClusterNames.CLIENT_PORT).build())
        .endSpec()
        .build();
  }
}
