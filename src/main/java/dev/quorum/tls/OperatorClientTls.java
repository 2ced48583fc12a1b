package dev.quorum.tls;

import dev.quorum.etcd.ClientTls;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Scheme;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.netty.GrpcSslContexts;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * The operator's own client certificate for each TLS cluster, issued in memory by the cluster's CA (read from its
 * Secret) and kept until it is due for renewal or the CA changes. It never leaves the operator's memory.
 */
@ApplicationScoped
public class OperatorClientTls {

  static final String COMMON_NAME = "quorum-operator";

  private final KubernetesClient kube;
  private final Map<String, Issued> byCluster = new ConcurrentHashMap<>();

  private record Issued(String caId, Instant renewAt, ClientTls tls) {}

  public OperatorClientTls(KubernetesClient kube) {
    this.kube = kube;
  }

  /**
   * The TLS to reach a cluster's members with; empty for a plain-text cluster.
   *
   * @throws IllegalStateException when the cluster's CA Secret is missing or unreadable (the message names the
   *     Secret and what is wrong, never key material)
   */
  public Optional<ClientTls> forCluster(EtcdClusterModel model) {
    if (model.scheme() != Scheme.HTTPS) {
      return Optional.empty();
    }
    Secret secret = kube.secrets().inNamespace(model.namespace()).withName(model.caSecret()).get();
    if (secret == null || secret.getData() == null) {
      throw new IllegalStateException("the CA Secret " + model.caSecret() + " does not exist (yet)");
    }
    Map<String, String> data = ClusterCertificates.decoded(secret.getData());
    String caId = sha256(data.getOrDefault(ClusterCertificates.CA_CERT, ""));
    Instant now = Instant.now();
    Issued issued = byCluster.compute(model.key(), (key, current) ->
        current != null && current.caId().equals(caId) && now.isBefore(current.renewAt()) ? current
            : issue(model, data, caId, now));
    return Optional.of(issued.tls());
  }

  private static Issued issue(EtcdClusterModel model, Map<String, String> data, String caId, Instant now) {
    CertificateAuthority ca;
    try {
      ca = CertificateAuthority.of(data.get(ClusterCertificates.CA_CERT), data.get(ClusterCertificates.CA_KEY));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the CA Secret " + model.caSecret() + " cannot be used: " + e.getMessage());
    }
    CertificateAuthority.Issued client = ca.issue(COMMON_NAME, List.of(), List.of(),
        ClusterCertificates.CERTIFICATE_VALIDITY, now, CertificateAuthority.Usage.CLIENT);
    try {
      ClientTls tls = new ClientTls(caId + "/" + sha256(client.certificate().getEncoded()),
          GrpcSslContexts.forClient().trustManager(ca.certificate()).keyManager(client.key(), client.certificate())
              .build());
      Instant renewAt = client.certificate().getNotAfter().toInstant().minus(ClusterCertificates.RENEW_BEFORE);
      return new Issued(caId, renewAt, tls);
    } catch (SSLException | CertificateEncodingException e) {
      throw new IllegalStateException("a TLS client for " + model.key() + " could not be built: " + e.getMessage());
    }
  }

  private static String sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
