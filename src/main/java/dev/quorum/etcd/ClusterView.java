package dev.quorum.etcd;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What etcd itself says about a cluster at one moment.
 *
 * @param leaderId 0 when no reachable member knows a leader
 * @param alarms the alarms raised in the cluster; empty when they could not be read (no member with a quorum answered)
 * @param hashes the members' hashes of their data at one revision, by member ID: read only while a CORRUPT alarm is
 *     raised (hashing reads a member's whole database); a member that did not answer is missing
 */
public record ClusterView(long clusterId, long leaderId, List<MemberView> members, Optional<List<EtcdAlarm>> alarms,
    Map<Long, MemberHash> hashes) {

  /** A view whose alarms were not read. */
  public ClusterView(long clusterId, long leaderId, List<MemberView> members) {
    this(clusterId, leaderId, members, Optional.empty());
  }

  /** A view whose hashes were not read. */
  public ClusterView(long clusterId, long leaderId, List<MemberView> members, Optional<List<EtcdAlarm>> alarms) {
    this(clusterId, leaderId, members, alarms, Map.of());
  }

  /** The same view with the alarms read. */
  public ClusterView withAlarms(List<EtcdAlarm> read) {
    return new ClusterView(clusterId, leaderId, members, Optional.of(List.copyOf(read)), hashes);
  }

  /** The same view with the members' hashes read. */
  public ClusterView withHashes(Map<Long, MemberHash> read) {
    return new ClusterView(clusterId, leaderId, members, alarms, Map.copyOf(read));
  }

  /** The alarms of {@code type} raised; none when the alarms could not be read. */
  public List<EtcdAlarm> alarms(EtcdAlarm.Type type) {
    return alarms.orElse(List.of()).stream().filter(a -> a.type() == type).toList();
  }

  /** The member an alarm was raised on, as etcd lists it. */
  public Optional<MemberView> member(long id) {
    return members.stream().filter(m -> m.id() == id).findFirst();
  }

  public String clusterIdHex() {
    return EtcdIds.toHex(clusterId);
  }

  public Optional<MemberView> leader() {
    return leaderId == 0 ? Optional.empty() : members.stream().filter(m -> m.id() == leaderId).findFirst();
  }

  /**
   * How many revisions {@code member} is behind the leader, as both answered just now; empty when either did not
   * answer. Writes keep landing between the two answers, so a small lag is normal.
   */
  public Optional<Long> revisionLag(MemberView member) {
    return leader().filter(MemberView::reachable).filter(l -> member.reachable())
        .map(l -> Math.max(0, l.revision() - member.revision()));
  }

  /** The leader's member name; empty when no leader is known or it has not started yet. */
  public Optional<String> leaderName() {
    return leader().filter(MemberView::started).map(MemberView::name);
  }
}
