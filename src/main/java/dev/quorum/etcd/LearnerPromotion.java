package dev.quorum.etcd;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Promotes a learner to a voting member through etcd's {@code Cluster/MemberPromote} RPC, which jetcd 0.8.5 does not
 * offer.
 */
public final class LearnerPromotion {

  /** What etcd answers while the learner has not caught up with the leader's log: try again later. */
  public static final class NotCaughtUp extends Exception {
    NotCaughtUp(String message) {
      super(message);
    }
  }

  /** MemberPromoteRequest: field 1, the member ID. */
  static final MethodDescriptor<Long, byte[]> MEMBER_PROMOTE = IdRpc.method("etcdserverpb.Cluster", "MemberPromote");

  private LearnerPromotion() {}

  /**
   * Asks the member at {@code endpoint} (any member: it forwards to the leader) to promote learner {@code id}.
   *
   * @throws NotCaughtUp while the learner is behind; etcd refuses early promotion, so the caller retries later
   * @throws StatusRuntimeException for anything else (no such member, not a learner, no leader, unreachable)
   */
  public static void promote(String endpoint, EtcdClientSettings settings, long id) throws NotCaughtUp {
    try {
      IdRpc.call(endpoint, settings, MEMBER_PROMOTE, id);
    } catch (StatusRuntimeException e) {
      if (isNotCaughtUp(e.getStatus())) {
        throw new NotCaughtUp("learner " + EtcdIds.toHex(id) + " has not caught up with the leader yet: "
            + e.getStatus().getDescription());
      }
      throw e;
    }
  }

  /** etcd's ErrGRPCLearnerNotReady: "etcdserver: can only promote a learner member which is in sync with leader". */
  static boolean isNotCaughtUp(Status status) {
    return status.getCode() == Status.Code.FAILED_PRECONDITION && status.getDescription() != null
        && status.getDescription().contains("in sync with leader");
  }
}
