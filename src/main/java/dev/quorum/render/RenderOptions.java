package dev.quorum.render;

import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import java.util.Optional;

/**
 * What a rendered cluster is made of besides its peers.
 *
 * @param tlsDir where each member finds its certificates (kubeadm's names: ca.crt, server.crt/key, peer.crt/key);
 *     empty for plain HTTP
 */
public record RenderOptions(String version, String repository, String dataDir, String token, String etcdBinary,
    Optional<String> tlsDir) {

  public static final String DEFAULT_DATA_DIR = "/var/lib/etcd";
  public static final String DEFAULT_ETCD_BINARY = "/usr/local/bin/etcd";

  public static RenderOptions defaults() {
    return new RenderOptions(EtcdClusterSpec.DEFAULT_VERSION, EtcdClusterSpec.DEFAULT_REPOSITORY, DEFAULT_DATA_DIR,
        "etcd-cluster", DEFAULT_ETCD_BINARY, Optional.empty());
  }

  public String image() {
    return repository + ":v" + version;
  }

  public String scheme() {
    return tlsDir.isPresent() ? "https" : "http";
  }
}
