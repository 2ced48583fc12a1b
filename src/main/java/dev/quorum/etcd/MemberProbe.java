package dev.quorum.etcd;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.StatusResponse;
import java.util.List;

/**
 * The answer (or silence) of one member asked for its status.
 *
 * @param memberId the ID the member answered as; 0 when it did not answer
 * @param raftIndex the last Raft log entry the member holds: how far it got, even without a leader
 * @param database the size of its database file, and how much of it holds data
 * @param storageVersion the format its data is kept in (3.6 on; null before, or when it did not answer)
 * @param downgradeTarget the version etcd's downgrade API was enabled for (3.6 on), null when none is
 */
public record MemberProbe(boolean reachable, String version, long memberId, long leaderId, long raftTerm,
    long revision, long raftIndex, String error, DatabaseSize database, String storageVersion,
    String downgradeTarget) {

  // fields of etcd's StatusResponse that jetcd 0.8.5's copy of the protocol predates: they arrive as fields protobuf
  // keeps but does not name. dbSizeInUse (3.4 on), storageVersion and downgradeInfo {enabled, targetVersion} (3.6 on)
  private static final int DB_SIZE_IN_USE_FIELD = 9;
  private static final int STORAGE_VERSION_FIELD = 11;
  private static final int DOWNGRADE_INFO_FIELD = 13;

  public MemberProbe(boolean reachable, String version, long memberId, long leaderId, long raftTerm, long revision,
      long raftIndex, String error) {
    this(reachable, version, memberId, leaderId, raftTerm, revision, raftIndex, error, DatabaseSize.UNKNOWN, null,
        null);
  }

  static MemberProbe answered(StatusResponse status) {
    return new MemberProbe(true, status.getVersion(), status.getHeader().getMemberId(), status.getLeader(),
        status.getRaftTerm(), status.getHeader().getRevision(), status.getRaftIndex(), null,
        new DatabaseSize(status.getDbSize(), dbSizeInUse(status)), storageVersion(status), downgradeTarget(status));
  }

  private static long dbSizeInUse(StatusResponse status) {
    List<Long> values = status.getUnknownFields().getField(DB_SIZE_IN_USE_FIELD).getVarintList();
    return values.isEmpty() ? status.getDbSize() : values.get(values.size() - 1);
  }

  private static String storageVersion(StatusResponse status) {
    List<ByteString> values = status.getUnknownFields().getField(STORAGE_VERSION_FIELD).getLengthDelimitedList();
    return values.isEmpty() ? null : values.get(values.size() - 1).toStringUtf8();
  }

  /** downgradeInfo: {@code enabled} is field 1, {@code targetVersion} field 2. */
  private static String downgradeTarget(StatusResponse status) {
    List<ByteString> values = status.getUnknownFields().getField(DOWNGRADE_INFO_FIELD).getLengthDelimitedList();
    if (values.isEmpty()) {
      return null;
    }
    try {
      UnknownFieldSet info = UnknownFieldSet.parseFrom(values.get(values.size() - 1));
      List<Long> enabled = info.getField(1).getVarintList();
      List<ByteString> target = info.getField(2).getLengthDelimitedList();
      return enabled.isEmpty() || enabled.get(0) == 0 || target.isEmpty() ? null : target.get(0).toStringUtf8();
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
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
