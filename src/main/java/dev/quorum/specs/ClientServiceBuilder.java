package dev.quorum.specs;

import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.EtcdPorts;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;

/** ClusterIP Service clients use; it only routes to ready members. */
public final class ClientServiceBuilder {

  private ClientServiceBuilder() {}

  public static Service build(EtcdClusterModel model) {
    return new ServiceBuilder()
        .withMetadata(ChildMetadata.of(model, model.clientService()))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(model.selectorLabels())
        .withPorts(new ServicePortBuilder().withName("client").withProtocol("TCP")
            .withPort(EtcdPorts.CLIENT)
            .withTargetPort(new IntOrString(EtcdPorts.CLIENT))
            .build())
        .endSpec()
        .build();
  }
}
