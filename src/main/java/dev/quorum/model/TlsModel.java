package dev.quorum.model;

import dev.quorum.api.v1alpha1.ClusterTls;
import java.util.ArrayList;
import java.util.List;

/**
 * A TLS cluster's part of its model: which Secrets hold the CA and the certificates, who issues them, and the names and
 * addresses the members' certificate covers.
 */
public final class TlsModel {

  /** The members' certificate names the loopback address, for a client on the member's own pod or node. */
  static final String LOOPBACK = "127.0.0.1";

  private final EtcdClusterModel model;
  private final String clusterDomain;

  TlsModel(EtcdClusterModel model, String clusterDomain) {
    this.model = model;
    this.clusterDomain = clusterDomain;
  }

  /** The Secret of the cluster's CA (certificate and key), which only the operator reads. */
  public String caSecret() {
    return model.name() + "-ca";
  }

  /**
   * The Secret the members mount: the CAs they trust and their server and peer certificate; the operator's, or
   * the user's one {@code spec.tls.secretName} names.
   */
  public String memberTlsSecret() {
    return model.spec().getTls() != null && model.spec().getTls().getCertificates() == ClusterTls.Certificates.Secret
        ? model.spec().getTls().getSecretName() : model.name() + "-tls";
  }

  /** Whether the operator keeps the CA and issues the certificates itself. */
  public boolean operatorCertificates() {
    return model.spec().getTls() != null && model.spec().getTls().getCertificates() == ClusterTls.Certificates.Operator;
  }

  /** Whether a cert-manager Certificate the operator keeps issues the members' Secret. */
  public boolean certManagerCertificates() {
    return model.spec().getTls() != null && model.spec().getTls().getCertificates() == ClusterTls.Certificates.CertManager;
  }

  /** A client certificate for applications, with the CA certificate, as a kubernetes.io/tls Secret. */
  public String clientTlsSecret() {
    return model.name() + "-client-tls";
  }

  /**
   * The names the members' certificate covers: every member's DNS name (one wildcard per form of the peer
   * Service's domain), the client Service's names, and localhost for a client on the member's own pod.
   */
  public List<String> tlsDnsNames() {
    String domain = clusterDomain;
    List<String> names = new ArrayList<>();
    for (String suffix : List.of(".svc", ".svc." + domain)) {
      names.add("*." + model.peerService() + "." + model.namespace() + suffix);
      names.add(model.clientService() + "." + model.namespace() + suffix);
    }
    names.add(model.clientService() + "." + model.namespace());
    names.add(model.clientService());
    names.add("localhost");
    return names;
  }

  /**
   * The IP addresses the members' certificate covers: the loopback address (a client on the member's own pod or
   * node) and, in StaticPod mode, each member's node address, where peers, the operator and clients reach it.
   */
  public List<String> tlsIpAddresses() {
    List<String> addresses = new ArrayList<>(List.of(LOOPBACK));
    if (model.staticPods()) {
      model.members().stream().map(Member::host).filter(host -> !addresses.contains(host)).sorted()
          .forEach(addresses::add);
    }
    return addresses;
  }
}
