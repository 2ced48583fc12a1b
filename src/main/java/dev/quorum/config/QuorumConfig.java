package dev.quorum.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Operator-wide settings, read from application.properties or QUORUM_* environment variables. */
@ConfigMapping(prefix = "quorum")
public interface QuorumConfig {

  /** Used by builders and tests that run without Quarkus. */
  String DEFAULT_FIELD_MANAGER = "quorum";

  /** Kubernetes DNS domain used in member addresses. */
  @WithDefault("cluster.local")
  String clusterDomain();

  /** How often a cluster's status is refreshed even when nothing in Kubernetes changed. */
  @WithDefault("30s")
  Duration statusRefreshInterval();

  /** Server-side apply field manager for everything the operator writes. */
  @WithDefault(DEFAULT_FIELD_MANAGER)
  String fieldManager();

  Etcd etcd();

  LeaderElection leaderElection();

  /** Off by default: one replica needs none; turn it on before running several. */
  interface LeaderElection {

    @WithDefault("false")
    boolean enabled();

    @WithDefault("quorum-operator")
    String leaseName();

    /** Namespace of the Lease; the operator's own namespace when unset. */
    Optional<String> leaseNamespace();
  }

  interface Etcd {

    /** etcd version used when a spec names none. */
    @WithDefault("3.6.16")
    String defaultVersion();

    /** Image repository used when a spec names none. */
    @WithDefault("quay.io/coreos/etcd")
    String defaultRepository();

    /** Time allowed to open a connection to one member. */
    @WithDefault("2s")
    Duration dialTimeout();

    /** Time allowed for one request to one member. */
    @WithDefault("5s")
    Duration requestTimeout();
  }
}
