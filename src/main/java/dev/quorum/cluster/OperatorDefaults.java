package dev.quorum.cluster;

import dev.quorum.config.QuorumConfig;

/** The operator settings that shape desired objects; a plain record so builders stay pure. */
public record OperatorDefaults(String clusterDomain, String defaultVersion, String defaultRepository) {

  public static final OperatorDefaults STANDARD =
      new OperatorDefaults("cluster.local", "3.6.16", "quay.io/coreos/etcd");

  public static OperatorDefaults from(QuorumConfig config) {
    return new OperatorDefaults(
        config.clusterDomain(), config.etcd().defaultVersion(), config.etcd().defaultRepository());
  }
}
