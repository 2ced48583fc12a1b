package dev.quorum.maintenance;

import dev.quorum.api.v1alpha1.DefragmentationPolicy;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.api.v1alpha1.MaintenanceStatus;
import dev.quorum.etcd.ClusterView;
import dev.quorum.model.BackendQuota;
import dev.quorum.model.CronSchedule;
import java.time.Instant;
import java.util.Optional;

/**
 * Pure: the next step of the care of a cluster's databases. A CORRUPT recovery comes first, then a NOSPACE one (the
 * cluster takes no writes under either, and etcd compacts nothing under CORRUPT); then defragmentation as
 * {@code spec.defragmentation} asks for it.
 */
public final class DatabaseCarePlan {

  private DatabaseCarePlan() {}

  public static Optional<DatabaseStep> next(ClusterView etcd, EtcdCluster cluster, Instant now) {
    Optional<EtcdClusterStatus> status = Optional.ofNullable(cluster.getStatus());
    Optional<MaintenanceStatus> progress = status.map(EtcdClusterStatus::getMaintenance);
    Optional<DatabaseStep> corrupt = CorruptionRecovery.next(etcd);
    if (corrupt.isPresent()) {
      return corrupt;
    }
    Optional<DatabaseStep> noSpace = NoSpaceRecovery.next(etcd, progress, BackendQuota.bytes(cluster));
    if (noSpace.isPresent()) {
      return noSpace;
    }
    DefragmentationPolicy policy = cluster.getSpec().getDefragmentation();
    if (policy == null) {
      return Optional.empty();
    }
    Instant created = Optional.ofNullable(cluster.getMetadata().getCreationTimestamp()).map(Instant::parse).orElse(now);
    return Defragmentation.next(etcd, policy, progress, Defragmentation.lastEnded(
        status.map(EtcdClusterStatus::getLastMaintenance), created), schedule(policy), now);
  }

  /** The policy's schedule; empty without one, or when it does not parse (the spec's validation reports that). */
  static Optional<CronSchedule> schedule(DefragmentationPolicy policy) {
    if (policy.getSchedule() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(CronSchedule.parse(policy.getSchedule(), policy.getTimeZone()));
    } catch (CronSchedule.InvalidSchedule e) {
      return Optional.empty();
    }
  }
}
