package dev.quorum.etcd;

import io.etcd.jetcd.api.AlarmMember;
import java.util.Arrays;
import java.util.Optional;

/**
 * An alarm etcd raised on one member, as {@code etcdctl alarm list} shows it.
 *
 * @param memberId the member it was raised on
 */
public record EtcdAlarm(long memberId, Type type) {

  /** With etcd's own numbers (etcdserverpb.AlarmType): jetcd 0.8.5's copy of the protocol predates CORRUPT. */
  public enum Type {
    /** The member's database reached the quota: the whole cluster takes reads and deletes only, until disarmed. */
    NOSPACE(1),
    /** The member's data differs from the others' (etcd's corruption checks found it). */
    CORRUPT(2);

    final int number;

    Type(int number) {
      this.number = number;
    }
  }

  /** The alarm as etcd sends it; empty for a kind this operator does not know. */
  static Optional<EtcdAlarm> of(AlarmMember member) {
    return Arrays.stream(Type.values()).filter(t -> t.number == member.getAlarmValue()).findFirst()
        .map(type -> new EtcdAlarm(member.getMemberID(), type));
  }

  public String memberIdHex() {
    return EtcdIds.toHex(memberId);
  }
}
