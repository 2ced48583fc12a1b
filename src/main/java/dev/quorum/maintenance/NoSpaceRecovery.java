package dev.quorum.maintenance;

import dev.quorum.api.v1alpha1.MaintenanceStatus;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.EtcdAlarm;
import java.util.List;
import java.util.Optional;

/**
 * Pure: the next step of bringing a cluster back from etcd's NOSPACE alarm, under which it takes reads and deletes
 * only. The old revisions are compacted away (up to the leader's revision), every member is defragmented so the file
 * gives the freed pages back ({@link DefragmentationOrder}: followers first, the leader last), then the alarm is
 * disarmed, but only once every member's database is back under {@value #HEADROOM_PERCENT}% of the quota: disarmed
 * any fuller, the next writes would raise it again. When the data itself does not fit, nothing is disarmed and the
 * user is told to make room (grow the volume and raise the quota, or delete data).
 *
 * <p>Invariants: nothing is done unless every member is healthy and a leader is known (a defragmentation takes its
 * member out for a while, which must not cost the quorum); one step per pass; every step is safe to repeat, so an
 * operator that dies between a step and recording it in {@code status.maintenance} repeats one step at most. Deletes
 * made meanwhile move the leader's revision past the one compacted, and the compaction starts over to free them too.
 */
public final class NoSpaceRecovery {

  public static final String TYPE = "NoSpaceRecovery";
  /** How full of its quota a member's database may be for the alarm to be disarmed. */
  static final int HEADROOM_PERCENT = 80;

  private NoSpaceRecovery() {}

  /**
   * @param etcd what etcd says now, with the alarms read
   * @param progress the operation on record ({@code status.maintenance}), if one runs
   * @param quotaBytes the members' --quota-backend-bytes
   * @return the next step; empty when no NOSPACE alarm is raised (or the alarms could not be read)
   */
  public static Optional<DatabaseStep> next(ClusterView etcd, Optional<MaintenanceStatus> progress, long quotaBytes) {
    List<EtcdAlarm> noSpace = etcd.alarms().orElse(List.of()).stream()
        .filter(a -> a.type() == EtcdAlarm.Type.NOSPACE).toList();
    if (noSpace.isEmpty()) {
      return Optional.empty();
    }
    Optional<DatabaseStep> unhealthy = DefragmentationOrder.unlessHealthy(TYPE, "etcd raised NOSPACE; its recovery",
        etcd);
    if (unhealthy.isPresent()) {
      return unhealthy;
    }
    long revision = etcd.leader().orElseThrow().revision();
    Optional<MaintenanceStatus> current = progress.filter(p -> TYPE.equals(p.getType()))
        .filter(p -> p.getCompactedRevision() != null && p.getCompactedRevision() >= revision);
    if (current.isEmpty()) {
      return Optional.of(new DatabaseStep.Compact(TYPE, revision, DefragmentationOrder.total(etcd)));
    }
    List<String> done = Optional.ofNullable(current.get().getDefragmented()).orElse(List.of());
    Optional<DatabaseStep> defragment = DefragmentationOrder.next(TYPE, etcd, done, 0);
    if (defragment.isPresent()) {
      return defragment;
    }
    long largest = etcd.members().stream().mapToLong(m -> m.database().bytes()).max().orElse(0);
    if (largest * 100 >= quotaBytes * HEADROOM_PERCENT) {
      return Optional.of(new DatabaseStep.DoesNotFit(TYPE, String.format("compacted up to revision %d and"
          + " defragmented, the largest member database still holds %s of its %s quota (more than %d%%): its data"
          + " does not fit; grow spec.storage.size (the quota follows) or raise spec.etcd.quotaBackendBytes, or delete"
          + " keys (etcd takes deletes under NOSPACE), and the recovery goes on", current.get().getCompactedRevision(),
          DefragmentationOrder.mib(largest), DefragmentationOrder.mib(quotaBytes), HEADROOM_PERCENT)));
    }
    return Optional.of(new DatabaseStep.Disarm(TYPE, noSpace, DefragmentationOrder.total(etcd)));
  }
}
