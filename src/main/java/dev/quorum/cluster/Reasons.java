package dev.quorum.cluster;

import dev.quorum.membership.MembershipPlanner;

/** Condition reasons (and Event reasons) the operator reports. */
public final class Reasons {

  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String RECONCILE_ERROR = "ReconcileError";
  /** The API server refused the operator something its RBAC does not grant (an Event; Degraded says ReconcileError). */
  public static final String PERMISSION_DENIED = "PermissionDenied";
  /** A TLS Secret (the CA's, or the user's members' Secret) cannot be used; the message names it and what is wrong. */
  public static final String INVALID_TLS_SECRET = "InvalidTlsSecret";
  public static final String CREATING = "Creating";
  /** A member's init container (the restore of a snapshot) failed; its message says why. */
  public static final String MEMBER_INIT_FAILED = "MemberInitFailed";
  /** An EtcdRestore holds the members while it restores them in place. */
  public static final String RESTORING = "Restoring";
  /** An EtcdRecovery holds the members while it brings the cluster back from a lost quorum. */
  public static final String RECOVERING = "Recovering";
  public static final String ROLLING_UPDATE = "RollingUpdate";
  public static final String PAUSED = "Paused";
  public static final String STABLE = "Stable";
  public static final String QUORUM_AVAILABLE = "QuorumAvailable";
  public static final String QUORUM_LOST = "QuorumLost";
  /** Event: the operator is set to keep the members' PodMonitor, and the cluster does not serve PodMonitors. */
  public static final String POD_MONITOR_UNAVAILABLE = "PodMonitorUnavailable";
  public static final String MEMBERS_UNAVAILABLE = "MembersUnavailable";
  public static final String ALL_MEMBERS_READY = "AllMembersReady";
  public static final String MEMBER_POD_ENDED = "MemberPodEnded";

  // why one member is not ready (status.members[].reason)
  /** etcd does not answer at the member's address: its process is down, starting, or unreachable. */
  public static final String MEMBER_UNREACHABLE = "Unreachable";
  /** The member answers but follows no leader: cut off from the majority, or the cluster lost quorum. */
  public static final String MEMBER_NO_LEADER = "NoLeader";
  /** The member is a learner catching up; it is promoted once etcd agrees. */
  public static final String MEMBER_LEARNER = "Learner";
  /** The member is in etcd's membership but has not started yet. */
  public static final String MEMBER_NOT_STARTED = "NotStarted";
  /** etcd answers, but the member's pod is not ready (its readiness probe fails). */
  public static final String MEMBER_POD_NOT_READY = "PodNotReady";
  /** The member has no pod (it is being recreated or replaced). */
  public static final String MEMBER_NO_POD = "NoPod";

  public static final String UPGRADE_STARTED = "UpgradeStarted";
  public static final String UPGRADE_COMPLETED = "UpgradeCompleted";
  /** etcd's downgrade API enabled before members roll back to the previous minor. */
  public static final String DOWNGRADE_ENABLED = "DowngradeEnabled";
  /** A downgrade enabled for a minor the members no longer go to, called off. */
  public static final String DOWNGRADE_CANCELLED = "DowngradeCancelled";
  /** A member did not become ready on the new version in time; the members went back to the previous one. */
  public static final String UPGRADE_ROLLED_BACK = "UpgradeRolledBack";
  public static final String LEADER_MOVED = "LeaderMoved";
  /** A membership step refused the same way for a while (Progressing=False, and an event once). */
  public static final String MEMBERSHIP_STEP_REFUSED = "MembershipStepRefused";
  /** etcd raised NOSPACE: the cluster takes reads and deletes only until the operator has made room and disarmed it. */
  public static final String NO_SPACE_ALARM = "NoSpaceAlarm";
  /** etcd raised CORRUPT: a member's data differs from the others'. */
  public static final String CORRUPT_ALARM = "CorruptAlarm";
  /** Compacted and defragmented, the data still does not fit in the quota. */
  public static final String DATA_DOES_NOT_FIT = "DataDoesNotFit";
  public static final String COMPACTED = "Compacted";
  public static final String DEFRAGMENTED = "Defragmented";
  public static final String NO_SPACE_RECOVERED = "NoSpaceRecovered";
  /** The member whose data differed was replaced, and CORRUPT disarmed. */
  public static final String CORRUPTION_RECOVERED = "CorruptionRecovered";
  /** Under CORRUPT, no majority of members agree on the data (or etcd names a majority): the user decides. */
  public static final String CORRUPTION_UNDECIDED = "CorruptionUndecided";
  /** Progressing while the operator cares for the members' databases (compacts, defragments, disarms). */
  public static final String MAINTAINING = "Maintaining";
  /** A member's claim asked for the larger storage.size. */
  public static final String VOLUME_EXPANDING = "VolumeExpanding";
  /** storage.size grew, but a claim's StorageClass cannot expand: nothing changes (Progressing=False, an event once). */
  public static final String VOLUME_EXPANSION_UNSUPPORTED = "VolumeExpansionUnsupported";
  public static final String REPLACING_MEMBER = "ReplacingMember";
  public static final String ADDING_MEMBER = "AddingMember";
  public static final String REMOVING_MEMBER = "RemovingMember";

  private Reasons() {}

  /** The Progressing reason while a membership change of that kind goes on. */
  public static String membershipChange(MembershipPlanner.Operation operation) {
    switch (operation) {
      case AddMember:
        return ADDING_MEMBER;
      case RemoveMember:
        return REMOVING_MEMBER;
      default:
        return REPLACING_MEMBER;
    }
  }
}
