package dev.quorum.specs;

import dev.quorum.model.EtcdClusterModel;
import dev.quorum.tls.ClusterCertificates;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.List;

/**
 * TLS: the cluster's CA, members' and client Secrets, with the contents {@link ClusterCertificates} decided. The
 * client Secret is a kubernetes.io/tls Secret applications can mount as it is.
 */
public final class TlsSecretsBuilder {

  private TlsSecretsBuilder() {}

  public static List<Secret> build(EtcdClusterModel model, ClusterCertificates.Desired desired) {
    return List.of(
        new SecretBuilder().withMetadata(ChildMetadata.of(model, model.tls().caSecret())).withType("Opaque")
            .withData(desired.ca()).build(),
        new SecretBuilder().withMetadata(ChildMetadata.of(model, model.tls().memberTlsSecret())).withType("Opaque")
            .withData(desired.member()).build(),
        new SecretBuilder().withMetadata(ChildMetadata.of(model, model.tls().clientTlsSecret()))
            .withType("kubernetes.io/tls").withData(desired.client()).build());
  }
}
