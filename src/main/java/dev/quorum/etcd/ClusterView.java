package dev.quorum.etcd;

import java.util.List;
import java.util.Optional;

/**
 * What etcd itself says about a cluster at one moment.
 *
 * @param leaderId 0 when no reachable member knows a leader
 */
public record ClusterView(long clusterId, long leaderId, List<MemberView> members) {

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
