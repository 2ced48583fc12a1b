package dev.quorum.model;

import dev.quorum.config.QuorumConfig;

/**
 * The operator-wide settings a model is built with; a plain record so builders stay pure.
 *
 * @param operatorImage the operator's own image, whose tool mode fetches and installs restored snapshots in
 *     member pods
 */
public record OperatorSettings(String clusterDomain, String operatorImage) {

  public static OperatorSettings from(QuorumConfig config) {
    return new OperatorSettings(config.clusterDomain(), config.image());
  }
}
