package dev.quorum.etcd;

import io.grpc.MethodDescriptor;

/**
 * Moves leadership through etcd's {@code Maintenance/MoveLeader} RPC, sent to the leader itself (any other member
 * answers "not leader"): jetcd's own call goes to whichever member its channel picks.
 */
public final class LeaderTransfer {

  /** MoveLeaderRequest: field 1, the target member's ID. */
  static final MethodDescriptor<Long, byte[]> MOVE_LEADER = IdRpc.method("etcdserverpb.Maintenance", "MoveLeader");

  private LeaderTransfer() {}

  /**
   * Asks the leader at {@code leaderEndpoint} to hand leadership to voter {@code targetId}; returns once it has.
   *
   * @throws io.grpc.StatusRuntimeException when etcd refuses (not the leader any more, target not a voter, timeout)
   */
  public static void move(String leaderEndpoint, EtcdClientSettings settings, long targetId) {
    IdRpc.call(leaderEndpoint, settings, MOVE_LEADER, targetId);
  }
}
