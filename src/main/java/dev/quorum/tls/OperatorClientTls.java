package dev.quorum.tls;

import dev.quorum.etcd.ClientTls;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Scheme;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * How the operator reaches each TLS cluster's members: it trusts the CAs the members trust and presents the members'
 * own certificate (it is for client authentication too, as peers dial each other with it), both from the members'
 * Secret. So whatever step a change of CA or certificate is at, the operator is trusted exactly as a member is, and
 * no further copy of a credential exists. Kept per cluster until the Secret's certificates change.
 */
@ApplicationScoped
public class OperatorClientTls {

  private final KubernetesClient kube;
  private final Map<String, ClientTls> byCluster = new ConcurrentHashMap<>();

  public OperatorClientTls(KubernetesClient kube) {
    this.kube = kube;
  }

  /**
   * The TLS to reach a cluster's members with; empty for a plain-text cluster.
   *
   * @throws IllegalStateException when the members' Secret is missing or unreadable (the message names the Secret
   *     and what is wrong, never key material)
   */
  public Optional<ClientTls> forCluster(EtcdClusterModel model) {
    if (model.scheme() != Scheme.HTTPS) {
      return Optional.empty();
    }
    Secret secret = kube.secrets().inNamespace(model.namespace()).withName(model.tls().memberTlsSecret()).get();
    if (secret == null || secret.getData() == null) {
      throw new IllegalStateException("the members' TLS Secret " + model.tls().memberTlsSecret() + " does not exist (yet)");
    }
    String revision = ClusterCertificates.revision(secret.getData());
    ClientTls tls = byCluster.compute(model.key(), (key, current) ->
        current != null && current.id().equals(revision) ? current : build(model, secret.getData(), revision));
    return Optional.of(tls);
  }

  private static ClientTls build(EtcdClusterModel model, Map<String, String> data, String revision) {
    try {
      return new ClientTls(revision, sslContext(data));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the members' TLS Secret " + model.tls().memberTlsSecret() + " cannot be used: "
          + e.getMessage());
    } catch (SSLException e) {
      throw new IllegalStateException("a TLS client for " + model.key() + " could not be built: " + e.getMessage());
    }
  }

  /**
   * A gRPC client's TLS from a Secret's data ({@code ca.crt}, {@code tls.crt}, {@code tls.key}): it trusts the CAs
   * and presents the certificate with its chain.
   *
   * @throws IllegalArgumentException when a key cannot be read (the message names what, never the material)
   */
  public static SslContext sslContext(Map<String, String> secretData) throws SSLException {
    Map<String, String> decoded = ClusterCertificates.decoded(secretData);
    List<X509Certificate> trusted = Pem.readCertificates(decoded.get(ClusterCertificates.CA_CERT));
    List<X509Certificate> chain = Pem.readCertificates(decoded.get(ClusterCertificates.CERT));
    PrivateKey key = Pem.readPrivateKey(decoded.get(ClusterCertificates.KEY));
    return GrpcSslContexts.forClient().trustManager(trusted.toArray(X509Certificate[]::new))
        .keyManager(key, chain.toArray(X509Certificate[]::new)).build();
  }
}
