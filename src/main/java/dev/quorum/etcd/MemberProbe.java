package dev.quorum.etcd;

import io.etcd.jetcd.api.StatusResponse;
import java.util.List;

/**
 * The answer (or silence) of one member asked for its status.
 *
 * @param memberId the ID the member answered as; 0 when it did not answer
 * @param raftIndex the last Raft log entry the member holds: how far it got, even without a leader
 * @param database the size of its database file, and how much of it holds data
 */
public record MemberProbe(boolean reachable, String version, long memberId, long leaderId, long raftTerm,
    long revision, long raftIndex, String error, DatabaseSize database) {

  // etcd's StatusResponse.dbSizeInUse (since 3.4): jetcd 0.8.5's copy of the protocol predates it, so it arrives as
  // a field protobuf keeps but does not name
  private static final int DB_SIZE_IN_USE_FIELD = 9;

  public MemberProbe(boolean reachable, String version, long memberId, long leaderId, long raftTerm, long revision,
      long raftIndex, String error) {
    this(reachable, version, memberId, leaderId, raftTerm, revision, raftIndex, error, DatabaseSize.UNKNOWN);
  }

  static MemberProbe answered(StatusResponse status) {
    return new MemberProbe(true, status.getVersion(), status.getHeader().getMemberId(), status.getLeader(),
        status.getRaftTerm(), status.getHeader().getRevision(), status.getRaftIndex(), null,
        new DatabaseSize(status.getDbSize(), dbSizeInUse(status)));
  }

  private static long dbSizeInUse(StatusResponse status) {
    List<Long> values = status.getUnknownFields().getField(DB_SIZE_IN_USE_FIELD).getVarintList();
    return values.isEmpty() ? status.getDbSize() : values.get(values.size() - 1);
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
