package dev.quorum.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Operator-wide settings, read from application.properties or QUORUM_* environment variables. */
@ConfigMapping(prefix = "quorum")
public interface QuorumConfig {

  /** Server-side apply field manager of everything the operator writes; fixed, so ownership never moves. */
  String FIELD_MANAGER = "quorum";

  /** Kubernetes DNS domain used in member addresses. */
  @WithDefault("cluster.local")
  String clusterDomain();

  /**
   * The operator's own image (the chart sets it to the image it deploys): member pods that restore a snapshot run
   * it in tool mode to fetch and verify the snapshot. application.properties defaults it to this release's image.
   */
  String image();

  /** How often a cluster's status is refreshed even when nothing in Kubernetes changed. */
  @WithDefault("30s")
  Duration statusRefreshInterval();

  Etcd etcd();

  Backup backup();

  LeaderElection leaderElection();

  Membership membership();

  Recovery recovery();

  Metrics metrics();

  /** What the operator publishes for Prometheus beyond its own /q/metrics. */
  interface Metrics {

    /**
     * Keep a PodMonitor (the Prometheus Operator's resource) per EtcdCluster for its members' metrics port, where
     * that resource is served. Off by default; the chart's metrics.memberPodMonitors.enabled turns it on.
     */
    @WithDefault("false")
    boolean memberPodMonitors();
  }

  /** Quorum-loss recoveries. */
  interface Recovery {

    /**
     * Test only, a failpoint like {@link Membership#haltAfterStep()}: the operator halts at once, as if killed, right
     * after a recovery step whose event reason this names (RecoveryStarted, RecoveryStoppedMembers,
     * RecoveryForcingNewCluster, RecoverySurvivorAlone, RecoveryClaimsSetAside, RecoveryHandedOver,
     * RecoveryRestoring, RecoveryBackupPassedOver; several separated by commas). Unset in production.
     */
    Optional<String> haltAfterStep();
  }

  /** Membership changes. */
  interface Membership {

    /**
     * Test only, a failpoint: the operator halts at once, as if killed, right after a membership step whose event
     * reason this names (MemberRemoved, MemberAdded, MemberRecorded, MemberPromoted, LeaderMoved, MemberRetired,
     * MemberDiscarded; several separated by commas), so a test can prove that a restarted operator finishes the
     * change. Unset in production.
     */
    Optional<String> haltAfterStep();

    /**
     * How long a member restarted on a new etcd version may take to become ready before the upgrade is rolled back:
     * generous, as a first start on a new version may migrate data.
     */
    @WithDefault("5m")
    Duration upgradeHealthTimeout();

    /**
     * How long a member may stay not ready, unheard of by etcd, before it is replaced by a new member (its pod and
     * data deleted, removed, added back as a learner): long enough to ride out a node reboot or a slow image pull.
     */
    @WithDefault("10m")
    Duration replaceBrokenAfter();
  }

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

    /** Time allowed to open a connection to one member. */
    @WithDefault("2s")
    Duration dialTimeout();

    /** Time allowed for one request to one member. */
    @WithDefault("5s")
    Duration requestTimeout();

    /** Time allowed for a whole snapshot read from one member (a backup), however slow its upload. */
    @WithDefault("1h")
    Duration snapshotTimeout();

    /**
     * Time allowed to defragment one member's database: etcd rewrites the whole file, about a minute for 8 GiB (its
     * practical maximum) on a fast disk, longer on a slow one.
     */
    @WithDefault("10m")
    Duration defragmentTimeout();
  }

  /** Backups: how an EtcdBackup retries transient failures, and the schedules' clock. */
  interface Backup {

    /** Attempts before an EtcdBackup is Failed; permanent failures are not retried. */
    @WithDefault("5")
    int maxAttempts();

    /** Wait before the second attempt, doubled before each next one: 5 s, 10 s, 20 s, 40 s by default. */
    @WithDefault("5s")
    Duration firstRetryDelay();

    /**
     * Test only: how many times faster than real time backup schedules run (their clock starts at the real time
     * when the operator starts). 1 in production; the rig's IT speeds it up so `* * * * *` fires every few seconds.
     */
    @WithDefault("1")
    double clockRate();
  }
}
