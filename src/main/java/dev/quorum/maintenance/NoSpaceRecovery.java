package dev.quorum.maintenance;

import dev.quorum.api.v1alpha1.MaintenanceStatus;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.EtcdAlarm;
import dev.quorum.etcd.MemberView;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Pure: the next step of bringing a cluster back from etcd's NOSPACE alarm, under which it takes reads and deletes
 * only. The old revisions are compacted away (up to the leader's revision), every member is defragmented so the file
 * gives the freed pages back (followers first, then the leader once it has handed leadership to one of them: a
 * defragmentation holds its member up), then the
 * alarm is disarmed, but only once every member's database is back under {@value #HEADROOM_PERCENT}% of the quota:
 * disarmed any fuller, the next writes would raise it again. When the data itself does not fit, nothing is disarmed
 * and the user is told to make room (grow the volume and raise the quota, or delete data).
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

  public sealed interface Step {
    /** Compacts the key history up to {@code revision}, on record before the first defragmentation. */
    record Compact(long revision, long sizeBeforeBytes) implements Step {}

    /** Hands leadership to a member already defragmented, so the leader is defragmented as a follower. */
    record MoveLeader(String member, String toMember, long toId) implements Step {}

    /** Defragments one member's database. */
    record Defragment(String member, long reclaimableBytes) implements Step {}

    /** Every member's data fits again: the alarms are disarmed and the recovery ends. */
    record Disarm(List<EtcdAlarm> alarms, long sizeAfterBytes) implements Step {}

    /** Compacted and defragmented, the data still does not fit: nothing more the operator can do by itself. */
    record DoesNotFit(String message) implements Step {}

    /** A step cannot be taken safely now. */
    record Wait(String reason) implements Step {}
  }

  private NoSpaceRecovery() {}

  /**
   * @param etcd what etcd says now, with the alarms read
   * @param progress the recovery on record ({@code status.maintenance}), if one runs
   * @param quotaBytes the members' --quota-backend-bytes
   * @return the next step; empty when no NOSPACE alarm is raised (or the alarms could not be read)
   */
  public static Optional<Step> next(ClusterView etcd, Optional<MaintenanceStatus> progress, long quotaBytes) {
    List<EtcdAlarm> noSpace = etcd.alarms().orElse(List.of()).stream()
        .filter(a -> a.type() == EtcdAlarm.Type.NOSPACE).toList();
    if (noSpace.isEmpty()) {
      return Optional.empty();
    }
    Optional<MemberView> leader = etcd.leader();
    List<MemberView> unhealthy = etcd.members().stream().filter(m -> !m.healthy()).toList();
    if (leader.isEmpty() || !unhealthy.isEmpty()) {
      return Optional.of(new Step.Wait("etcd raised NOSPACE; its recovery waits until every member is healthy, as"
          + " defragmenting one takes it out for a while (not healthy: "
          + String.join(", ", unhealthy.stream().map(NoSpaceRecovery::name).toList()) + ")"));
    }
    long revision = leader.get().revision();
    Optional<MaintenanceStatus> current = progress.filter(p -> TYPE.equals(p.getType()))
        .filter(p -> p.getCompactedRevision() != null && p.getCompactedRevision() >= revision);
    if (current.isEmpty()) {
      return Optional.of(new Step.Compact(revision, largest(etcd)));
    }
    List<String> done = Optional.ofNullable(current.get().getDefragmented()).orElse(List.of());
    Optional<MemberView> nextMember = etcd.members().stream()
        .filter(m -> !done.contains(name(m)))
        // followers first, by name; the leader last
        .min(Comparator.comparing((MemberView m) -> m.id() == etcd.leaderId()).thenComparing(NoSpaceRecovery::name));
    if (nextMember.isPresent()) {
      MemberView member = nextMember.get();
      Optional<MemberView> takesOver = etcd.members().stream().filter(m -> m.id() != member.id() && !m.learner())
          .min(Comparator.comparing(NoSpaceRecovery::name));
      if (member.id() == etcd.leaderId() && takesOver.isPresent()) {
        return Optional.of(new Step.MoveLeader(name(member), name(takesOver.get()), takesOver.get().id()));
      }
      return Optional.of(new Step.Defragment(name(member), member.database().reclaimableBytes()));
    }
    long largest = largest(etcd);
    if (largest * 100 >= quotaBytes * HEADROOM_PERCENT) {
      return Optional.of(new Step.DoesNotFit(String.format("compacted up to revision %d and defragmented, the largest"
          + " member database still holds %s of its %s quota (more than %d%%): its data does not fit; grow"
          + " spec.storage.size and raise spec.etcd.quotaBackendBytes, or delete keys (etcd takes deletes under"
          + " NOSPACE), and the recovery goes on", current.get().getCompactedRevision(), mib(largest), mib(quotaBytes),
          HEADROOM_PERCENT)));
    }
    return Optional.of(new Step.Disarm(noSpace, largest));
  }

  /** What a step does, in words, for the status and events. */
  public static String describe(Step step) {
    if (step instanceof Step.Compact compact) {
      return "etcd raised NOSPACE: compacting the key history up to revision " + compact.revision()
          + ", then defragmenting each member (the leader last) and disarming the alarm";
    }
    if (step instanceof Step.Defragment defragment) {
      return "etcd raised NOSPACE: defragmenting " + defragment.member() + " (" + mib(defragment.reclaimableBytes())
          + " of free pages to give back)";
    }
    if (step instanceof Step.MoveLeader move) {
      return "etcd raised NOSPACE: moving leadership from " + move.member() + " to " + move.toMember()
          + " so " + move.member() + " is defragmented as a follower";
    }
    if (step instanceof Step.Disarm disarm) {
      return "etcd raised NOSPACE: every member's database fits again (the largest " + mib(disarm.sizeAfterBytes())
          + "): disarming the alarm";
    }
    if (step instanceof Step.DoesNotFit doesNotFit) {
      return doesNotFit.message();
    }
    return ((Step.Wait) step).reason();
  }

  /** The member named for a step: as etcd lists it, or by ID before it has started. */
  static String name(MemberView member) {
    return member.started() ? member.name() : member.idHex();
  }

  private static long largest(ClusterView etcd) {
    return etcd.members().stream().mapToLong(m -> m.database().bytes()).max().orElse(0);
  }

  static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
