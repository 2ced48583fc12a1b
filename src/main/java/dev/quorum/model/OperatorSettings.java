package dev.quorum.model;

import dev.quorum.config.QuorumConfig;

/** The operator-wide settings a model is built with; a plain record so builders stay pure. */
public record OperatorSettings(String clusterDomain) {

  public static OperatorSettings from(QuorumConfig config) {
    return new OperatorSettings(config.clusterDomain());
  }
}
