package dev.quorum.config;

import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkiverse.operatorsdk.runtime.api.ConfigurationServiceCustomizer;
import jakarta.inject.Singleton;
import java.util.function.Consumer;

/** Turns on JOSDK leader election (a coordination.k8s.io Lease) when quorum.leader-election.enabled is true. */
@Singleton
public class LeaderElectionCustomizer implements ConfigurationServiceCustomizer {

  /**
   * Leader election's grant on the Lease, in the operator's own namespace only: fabric8's LeaseLock reads and
   * creates it and renews it by patch; update as well, as the chart always granted, for a lock that replaces it.
   */
  public static final OperatorRbac.Rule LEASE_RULE = new OperatorRbac.Rule("coordination.k8s.io", "leases",
      "get", "create", "update", "patch");

  private final QuorumConfig config;

  public LeaderElectionCustomizer(QuorumConfig config) {
    this.config = config;
  }

  @Override
  public Consumer<ConfigurationServiceOverrider> overrider() {
    QuorumConfig.LeaderElection election = config.leaderElection();
    return overrider -> {
      if (election.enabled()) {
        overrider.withLeaderElectionConfiguration(
            new LeaderElectionConfiguration(election.leaseName(), election.leaseNamespace().orElse(null)));
      }
    };
  }
}
