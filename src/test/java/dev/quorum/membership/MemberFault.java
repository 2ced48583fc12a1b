package dev.quorum.membership;

import dev.quorum.rig.NodeFaults;
import java.time.Duration;

/**
 * A fault a member's node can suffer, and how healing it looks: a member that keeps its data comes back as itself
 * (same etcd ID); one whose data is gone comes back as a new member (a new ID), through the membership steps.
 */
public enum MemberFault {

  /** Its pod deleted: recreated on the same claim, so the member restarts with its data. */
  POD_DELETED(false) {
    @Override
    void inflict(NodeFaults faults, String namespace, String member) {
      faults.deletePod(namespace, member);
    }
  },
  /** An ephemeral member's pod deleted: its data went with the pod, so it is replaced. */
  EPHEMERAL_POD_DELETED(true) {
    @Override
    void inflict(NodeFaults faults, String namespace, String member) {
      faults.deletePod(namespace, member);
    }
  },
  /** Its claim and pod deleted: its data is gone, so it is replaced. */
  POD_AND_CLAIM_DELETED(true) {
    @Override
    void inflict(NodeFaults faults, String namespace, String member) {
      faults.deleteClaim(namespace, "data-" + member);
      faults.deletePod(namespace, member);
    }
  },
  /** Its etcd process killed (SIGKILL): the kubelet restarts it, with its data. */
  PROCESS_KILLED(false) {
    @Override
    void inflict(NodeFaults faults, String namespace, String member) {
      faults.killProcess(namespace, member, "etcd");
    }
  },
  /** Its etcd cannot start again, past the replace deadline: it is discarded and replaced by a new member. */
  BROKEN_PAST_THE_DEADLINE(true) {
    @Override
    void inflict(NodeFaults faults, String namespace, String member) {
      faults.breakContainer(namespace, member, "etcd", STAYS_BROKEN);
    }
  };

  /** Far longer than the test operator's replace deadline: the member never comes back by itself. */
  static final Duration STAYS_BROKEN = Duration.ofMinutes(10);

  private final boolean replaced;

  MemberFault(boolean replaced) {
    this.replaced = replaced;
  }

  /** Whether the member comes back as a new member (its data gone) rather than as itself. */
  public boolean replaced() {
    return replaced;
  }

  /** Whether the cluster must be ephemeral for this fault (an emptyDir, gone with the pod). */
  public boolean ephemeral() {
    return this == EPHEMERAL_POD_DELETED;
  }

  abstract void inflict(NodeFaults faults, String namespace, String member);
}
