package dev.quorum.maintenance;

import dev.quorum.etcd.EtcdAlarm;
import java.util.List;

/**
 * One step of the care of the members' databases, as {@link CorruptionRecovery}, {@link NoSpaceRecovery} or
 * {@link Defragmentation} decides it; each names the operation it belongs to ({@code status.maintenance.type}).
 */
public sealed interface DatabaseStep {

  /** {@link CorruptionRecovery#TYPE}, {@link NoSpaceRecovery#TYPE} or {@link Defragmentation#TYPE}. */
  String operation();

  /** The member the step is about, if it is about one. */
  default String member() {
    return null;
  }

  /** Compacts the key history up to {@code revision}; begins the operation. */
  record Compact(String operation, long revision, long sizeBeforeBytes) implements DatabaseStep {}

  /** Hands leadership to a member already defragmented, so the leader is defragmented as a follower. */
  record MoveLeader(String operation, String member, String toMember, long toId) implements DatabaseStep {}

  /**
   * Defragments one member's database.
   *
   * @param sizeBeforeBytes the members' databases together now: the operation's size before, when none is on record
   */
  record Defragment(String operation, String member, long reclaimableBytes, long sizeBeforeBytes)
      implements DatabaseStep {}

  /**
   * A member whose data differs is replaced by a new member: the membership takes the steps (its pod and data
   * discarded, then it joins again as a learner), one member at a time.
   *
   * @param id the member's ID in etcd: a new member under the same name is not the one meant
   */
  record ReplaceMember(String operation, String member, long id, String why) implements DatabaseStep {}

  /**
   * The alarms are no longer called for (every member's data fits, or agrees): they are disarmed and the operation
   * ends.
   */
  record Disarm(String operation, List<EtcdAlarm> alarms, long sizeAfterBytes) implements DatabaseStep {}

  /** Every member is defragmented: the operation ends. */
  record Finish(String operation, long sizeAfterBytes) implements DatabaseStep {}

  /** Compacted and defragmented, the data still does not fit: nothing more the operator can do by itself. */
  record DoesNotFit(String operation, String message) implements DatabaseStep {}

  /** Which member's data is right cannot be told from what etcd answers: the user decides. */
  record CannotDecide(String operation, String message) implements DatabaseStep {}

  /** A step cannot be taken safely now. */
  record Wait(String operation, String reason) implements DatabaseStep {}

  /** What a step does, in words, for the status and events. */
  static String describe(DatabaseStep step) {
    String why = NoSpaceRecovery.TYPE.equals(step.operation()) ? "etcd raised NOSPACE: " : "";
    if (CorruptionRecovery.TYPE.equals(step.operation()) && step instanceof Disarm) {
      return "etcd raised CORRUPT: every voting member's data agrees again: disarming the alarm";
    }
    if (step instanceof Compact compact) {
      return why + "compacting the key history up to revision " + compact.revision()
          + ", then defragmenting each member (the leader last) and disarming the alarm";
    }
    if (step instanceof MoveLeader move) {
      return why + "moving leadership from " + move.member() + " to " + move.toMember() + " so " + move.member()
          + " is defragmented as a follower";
    }
    if (step instanceof Defragment defragment) {
      return why + "defragmenting " + defragment.member() + " (" + DefragmentationOrder.mib(defragment.reclaimableBytes())
          + " of free pages to give back), one member at a time, the leader last";
    }
    if (step instanceof Disarm disarm) {
      return why + "every member's database fits again (" + DefragmentationOrder.mib(disarm.sizeAfterBytes())
          + " together): disarming the alarm";
    }
    if (step instanceof Finish finish) {
      return "every member is defragmented: " + DefragmentationOrder.mib(finish.sizeAfterBytes()) + " together";
    }
    if (step instanceof DoesNotFit doesNotFit) {
      return doesNotFit.message();
    }
    if (step instanceof CannotDecide cannotDecide) {
      return cannotDecide.message();
    }
    if (step instanceof ReplaceMember replace) {
      return "etcd raised CORRUPT: " + replace.why() + "; replacing it with a new member that copies the majority's"
          + " data, then disarming the alarm";
    }
    return ((Wait) step).reason();
  }
}
