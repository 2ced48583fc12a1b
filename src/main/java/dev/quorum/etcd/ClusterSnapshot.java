package dev.quorum.etcd;

import java.util.List;
import java.util.Optional;

/**
 * What etcd itself says about a cluster at one moment.
 *
 * @param leaderId 0 when no reachable member knows a leader
 */
public record ClusterSnapshot(long clusterId, long leaderId, List<MemberSnapshot> members) {

  public String clusterIdHex() {
    return EtcdIds.toHex(clusterId);
  }

  public Optional<MemberSnapshot> leader() {
    return leaderId == 0 ? Optional.empty() : members.stream().filter(m -> m.id() == leaderId).findFirst();
  }

  /** The leader's member name; empty when no leader is known or it has not started yet. */
  public Optional<String> leaderName() {
    return leader().filter(MemberSnapshot::started).map(MemberSnapshot::name);
  }
}
