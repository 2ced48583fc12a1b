package dev.quorum.specs;

import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.EtcdPorts;
import dev.quorum.model.Labels;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.Map;
import java.util.TreeMap;

/**
 * ClusterIP Service clients use; it only routes to ready voting members (the operator labels a member's pod as one
 * while etcd lists it so). A static pod's mirror pod is the kubelet's, not labelled: every ready member is routed to.
 */
public final class ClientServiceBuilder {

  private ClientServiceBuilder() {}

  public static Service build(EtcdClusterModel model) {
    return new ServiceBuilder()
        .withMetadata(ChildMetadata.of(model, model.clientService()))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(selector(model))
        .withPorts(new ServicePortBuilder().withName("client").withProtocol("TCP")
            .withPort(EtcdPorts.CLIENT)
            .withTargetPort(new IntOrString(EtcdPorts.CLIENT))
            .build())
        .endSpec()
        .build();
  }

  static Map<String, String> selector(EtcdClusterModel model) {
    if (model.staticPods()) {
      return model.selectorLabels();
    }
    Map<String, String> selector = new TreeMap<>(model.selectorLabels());
    selector.put(Labels.VOTER, Labels.VOTER_VALUE);
    return selector;
  }
}
