package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.AlarmStatus;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.EtcdAlarm;
import dev.quorum.etcd.MemberView;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** etcd's alarms as the status and events name them. */
final class Alarms {

  private Alarms() {}

  /** The alarms etcd lists, by member name; empty when they could not be read. */
  static Optional<List<AlarmStatus>> of(Optional<ClusterView> etcd) {
    return etcd.flatMap(view -> view.alarms().map(alarms -> named(view, alarms)));
  }

  /**
   * The alarms to tell the user of when first seen: those on a member etcd lists, or on none (ID 0). One left on a
   * member removed since (etcd keeps it until disarmed) was told while it was a member, under its name.
   */
  static List<AlarmStatus> toReport(Optional<ClusterView> etcd) {
    return etcd.map(view -> named(view, view.alarms().orElse(List.of()).stream()
        .filter(alarm -> alarm.memberId() == 0 || view.member(alarm.memberId()).isPresent()).toList()))
        .orElse(List.of());
  }

  private static List<AlarmStatus> named(ClusterView view, List<EtcdAlarm> alarms) {
    return alarms.stream()
        .map(alarm -> new AlarmStatus(alarm.type().name(), view.member(alarm.memberId()).filter(MemberView::started)
            .map(MemberView::name).orElse(alarm.memberIdHex())))
        .sorted(Comparator.comparing(AlarmStatus::getType).thenComparing(AlarmStatus::getMember))
        .toList();
  }

  static String reason(AlarmStatus alarm) {
    return EtcdAlarm.Type.NOSPACE.name().equals(alarm.getType()) ? Reasons.NO_SPACE_ALARM : Reasons.CORRUPT_ALARM;
  }

  static String describe(AlarmStatus alarm) {
    return EtcdAlarm.Type.NOSPACE.name().equals(alarm.getType())
        ? "etcd raised NOSPACE on " + alarm.getMember() + ": its database reached the quota, and the cluster takes"
            + " reads and deletes only until the alarm is disarmed; the operator compacts, defragments and disarms it"
        : "etcd raised CORRUPT on " + alarm.getMember() + ": its data differed from the other members' at a"
            + " compaction, and the cluster takes no writes until the alarm is disarmed; the operator compares the"
            + " members' hashes, replaces the member whose data differs with a new one copying the majority's data,"
            + " then disarms it (status.maintenance says how far it got)";
  }
}
