package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.events.Events;
import jakarta.enterprise.context.ApplicationScoped;

/** Events about an EtcdCluster: an invalid spec once per distinct problem, and what the operator did to members. */
@ApplicationScoped
public class ClusterEvents {

  private final Events events;
  /** The last quorum-loss picture reported per cluster uid. */
  private final java.util.Map<String, String> lastQuorumLoss = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Set<String> podMonitorsUnavailable = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public ClusterEvents(Events events) {
    this.events = events;
  }

  /**
   * Records a Warning once per distinct problem, not on every periodic reconcile.
   *
   * @return whether the problem is new (and so worth logging too)
   */
  public boolean invalidSpec(EtcdCluster cluster, String message) {
    return once(cluster, Reasons.INVALID_SPEC, message);
  }

  /** A TLS Secret the members cannot use, once per distinct problem. */
  public boolean invalidTlsSecret(EtcdCluster cluster, String message) {
    return once(cluster, Reasons.INVALID_TLS_SECRET, message);
  }

  /** The API server refused the operator a call its RBAC does not grant, once per distinct refusal. */
  public boolean permissionDenied(EtcdCluster cluster, String message) {
    // Degraded reports it as a reconcile error; the event names it for what it is
    return once(cluster, Reasons.RECONCILE_ERROR, Reasons.PERMISSION_DENIED, message);
  }

  /**
   * Quorum lost: once per distinct picture of the voters, remembered here rather than read back from Degraded (which
   * shows it only while fewer members are ready than a quorum); an operator restarted says it once more.
   */
  public boolean quorumLost(EtcdCluster cluster, String summary) {
    String previous = lastQuorumLoss.put(cluster.getMetadata().getUid(), summary);
    if (summary.equals(previous)) {
      return false;
    }
    events.warning(cluster, Reasons.QUORUM_LOST, summary);
    return true;
  }

  /**
   * The members' PodMonitor cannot be kept (its resource is not served): once per cluster while the operator runs,
   * as a Warning; it concerns monitoring only, so no condition carries it.
   */
  public boolean podMonitorsUnavailable(EtcdCluster cluster, String message) {
    if (!podMonitorsUnavailable.add(cluster.getMetadata().getUid())) {
      return false;
    }
    events.warning(cluster, Reasons.POD_MONITOR_UNAVAILABLE, message);
    return true;
  }

  /** The quorum is back (or the cluster gone): a loss later is news again. */
  public void quorumHeld(EtcdCluster cluster) {
    lastQuorumLoss.remove(cluster.getMetadata().getUid());
  }

  private boolean once(EtcdCluster cluster, String reason, String message) {
    return once(cluster, reason, reason, message);
  }

  private boolean once(EtcdCluster cluster, String conditionReason, String eventReason, String message) {
    if (alreadyReported(cluster.getStatus(), conditionReason, message)) {
      return false;
    }
    events.warning(cluster, eventReason, message);
    return true;
  }

  /** storage.size grew beyond what a claim's StorageClass can give: once per distinct message, as Progressing shows it. */
  public boolean volumeExpansionUnsupported(EtcdCluster cluster, String message) {
    boolean reported = cluster.getStatus() != null && cluster.getStatus().condition(ConditionTypes.PROGRESSING)
        .filter(c -> Reasons.VOLUME_EXPANSION_UNSUPPORTED.equals(c.getReason()) && message.equals(c.getMessage()))
        .isPresent();
    if (!reported) {
      events.warning(cluster, Reasons.VOLUME_EXPANSION_UNSUPPORTED, message);
    }
    return !reported;
  }

  /** Something the operator did to the cluster's members, such as restarting one to roll out a new spec. */
  public void normal(EtcdCluster cluster, String reason, String message) {
    events.normal(cluster, reason, message);
  }

  /** Something that went wrong with the members, such as an upgrade rolled back. */
  public void warning(EtcdCluster cluster, String reason, String message) {
    events.warning(cluster, reason, message);
  }

  /** On an EtcdRecovery itself: why it was refused (its status says so too). */
  public void recoveryRefused(EtcdRecovery recovery, String reason, String message) {
    events.warning(recovery, reason, message);
  }

  static boolean alreadyReported(EtcdClusterStatus status, String reason, String message) {
    return status != null && status.condition(ConditionTypes.DEGRADED)
        .filter(c -> reason.equals(c.getReason()))
        .map(c -> message.equals(c.getMessage()))
        .orElse(false);
  }
}
