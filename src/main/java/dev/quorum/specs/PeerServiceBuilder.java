package dev.quorum.specs;

import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.EtcdPorts;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;

/** Headless Service giving each member the DNS name its peers and clients reach it by. */
public final class PeerServiceBuilder {

  private PeerServiceBuilder() {}

  public static Service build(EtcdClusterModel model) {
    return new ServiceBuilder()
        .withMetadata(ChildMetadata.of(model, model.peerService()))
        .withNewSpec()
        .withClusterIP("None")
        // members must resolve each other before they are ready, or the first quorum never forms
        .withPublishNotReadyAddresses(true)
        .withSelector(model.selectorLabels())
        .withPorts(
            new ServicePortBuilder().withName("peer").withProtocol("TCP").withPort(EtcdPorts.PEER).build(),
            new ServicePortBuilder().withName("client").withProtocol("TCP").withPort(EtcdPorts.CLIENT).build())
        .endSpec()
        .build();
  }
}
