package dev.quorum.etcd;

import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * A learner's promotion to a voting member: etcd's {@code Cluster/MemberPromote} RPC, which neither jetcd 0.8.5 nor the
 * gRPC stubs it brings offer ({@link EtcdClusterClient#promoteLearner} sends it).
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

  /** etcd's ErrGRPCLearnerNotReady: "etcdserver: can only promote a learner member which is in sync with leader". */
  static boolean isNotCaughtUp(Status status) {
    return status.getCode() == Status.Code.FAILED_PRECONDITION && status.getDescription() != null
        && status.getDescription().contains("in sync with leader");
  }
}
