package dev.quorum.etcd;

import io.etcd.jetcd.api.StatusResponse;

/**
 * The answer (or silence) of one member asked for its status.
 *
 * @param memberId the ID the member answered as; 0 when it did not answer
 * @param raftIndex the last Raft log entry the member holds: how far it got, even without a leader
 */
public record MemberProbe(boolean reachable, String version, long memberId, long leaderId, long raftTerm,
    long revision, long raftIndex, String error) {

  static MemberProbe answered(StatusResponse status) {
    return new MemberProbe(true, status.getVersion(), status.getHeader().getMemberId(), status.getLeader(),
        status.getRaftTerm(), status.getHeader().getRevision(), status.getRaftIndex(), null);
  }

  static MemberProbe failed(Throwable failure) {
    return new MemberProbe(false, null, 0, 0, 0, 0, 0, EtcdCallFailed.describe(failure));
  }

  static MemberProbe notAddressable() {
    return new MemberProbe(false, null, 0, 0, 0, 0, 0, "member has no client endpoint yet");
  }

  /** What answered at a member's address is another member (an old address reused): not this member's answer. */
  static MemberProbe answeredAsAnother(MemberProbe answer) {
    return new MemberProbe(false, null, 0, 0, 0, 0, 0, "its address answers as member " + EtcdIds.toHex(answer.memberId()));
  }
}
