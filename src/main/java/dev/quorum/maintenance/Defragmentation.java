package dev.quorum.maintenance;

import dev.quorum.api.v1alpha1.DefragmentationPolicy;
import dev.quorum.api.v1alpha1.MaintenanceStatus;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.EtcdAlarm;
import dev.quorum.model.CronSchedule;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Pure: defragmentation as {@code spec.defragmentation} asks for it. It begins when its schedule is due (a run after the
 * last time every member was defragmented, by this or by a NOSPACE recovery, and less than an hour ago) or when free
 * pages make up
 * {@code freeSpacePercent} of a member's database file (and at least {@value #MIN_FREE_MIB} MiB, so small databases
 * are left alone); then every member is defragmented in {@link DefragmentationOrder}, one step per pass, and it
 * finishes with the space given back on record. Nothing begins or goes on unless every member is healthy, nor while
 * NOSPACE is raised (its recovery defragments anyway).
 */
public final class Defragmentation {

  public static final String TYPE = "Defragmentation";
  static final long MIN_FREE_MIB = 64;
  /**
   * A scheduled time is made up for only this long after it passed (the operator was down, or a member unhealthy): a
   * schedule names the hour its user wants the load at, and a policy added at 14:00 for 03:00 waits for 03:00.
   */
  static final Duration MAKE_UP_WITHIN = Duration.ofHours(1);

  private Defragmentation() {}

  /**
   * @param progress the operation on record ({@code status.maintenance}), if one runs
   * @param lastEnded when every member was last defragmented ({@code status.lastMaintenance.startedAt}), or when the
   *     cluster was created
   * @param schedule the policy's schedule, parsed; empty without one (or when it does not parse: reported elsewhere)
   */
  public static Optional<DatabaseStep> next(ClusterView etcd, DefragmentationPolicy policy,
      Optional<MaintenanceStatus> progress, Instant lastEnded, Optional<CronSchedule> schedule, Instant now) {
    if (etcd.alarms().orElse(List.of()).stream().anyMatch(a -> a.type() == EtcdAlarm.Type.NOSPACE)) {
      return Optional.empty();
    }
    Optional<MaintenanceStatus> running = progress.filter(p -> TYPE.equals(p.getType()));
    if (running.isEmpty() && due(etcd, policy, lastEnded, schedule, now).isEmpty()) {
      return Optional.empty();
    }
    Optional<DatabaseStep> unhealthy = DefragmentationOrder.unlessHealthy(TYPE, "defragmentation", etcd);
    if (unhealthy.isPresent()) {
      return unhealthy;
    }
    List<String> done = running.map(MaintenanceStatus::getDefragmented).orElse(List.of());
    return DefragmentationOrder.next(TYPE, etcd, done, DefragmentationOrder.total(etcd))
        .or(() -> Optional.of(new DatabaseStep.Finish(TYPE, DefragmentationOrder.total(etcd))));
  }

  /** Why a defragmentation is due now, if it is: its schedule, or a member's free pages. */
  static Optional<String> due(ClusterView etcd, DefragmentationPolicy policy, Instant lastEnded,
      Optional<CronSchedule> schedule, Instant now) {
    Optional<Instant> scheduled = schedule.flatMap(s -> s.latest(now)).filter(run -> run.isAfter(lastEnded))
        .filter(run -> !run.plus(MAKE_UP_WITHIN).isBefore(now));
    if (scheduled.isPresent()) {
      return Optional.of("scheduled at " + scheduled.get());
    }
    Integer percent = policy.getFreeSpacePercent();
    if (percent == null) {
      return Optional.empty();
    }
    return etcd.members().stream().filter(m -> m.database().known())
        .filter(m -> m.database().reclaimableBytes() >= MIN_FREE_MIB * 1024 * 1024
            && m.database().reclaimableBytes() * 100 >= m.database().bytes() * percent)
        .findFirst().map(m -> DefragmentationOrder.name(m) + " has " + DefragmentationOrder.mib(
            m.database().reclaimableBytes()) + " of free pages, " + percent + "% or more of its database");
  }

  /** When every member was last defragmented: the last maintenance's start, else the cluster's creation. */
  public static Instant lastEnded(Optional<MaintenanceStatus> last, Instant created) {
    return last.map(MaintenanceStatus::getStartedAt).flatMap(Defragmentation::instant).filter(i -> i.isAfter(created))
        .orElse(created);
  }

  private static Optional<Instant> instant(String text) {
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException | NullPointerException e) {
      return Optional.empty(); // written by another hand: counted from the cluster's creation
    }
  }
}
