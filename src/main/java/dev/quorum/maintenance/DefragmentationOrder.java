package dev.quorum.maintenance;

import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Pure: which member an operation that defragments every member takes next. Followers first, by name; then the
 * leader, once it has handed leadership to a member already done: a defragmentation holds its member up while etcd
 * rewrites the file, and a leader held up costs the cluster an election.
 */
final class DefragmentationOrder {

  private DefragmentationOrder() {}

  /** The next step; empty once every member is in {@code done}. */
  static Optional<DatabaseStep> next(String operation, ClusterView etcd, List<String> done, long sizeBeforeBytes) {
    Optional<MemberView> nextMember = etcd.members().stream()
        .filter(m -> !done.contains(name(m)))
        .min(Comparator.comparing((MemberView m) -> m.id() == etcd.leaderId()).thenComparing(DefragmentationOrder::name));
    if (nextMember.isEmpty()) {
      return Optional.empty();
    }
    MemberView member = nextMember.get();
    Optional<MemberView> takesOver = etcd.members().stream().filter(m -> m.id() != member.id() && !m.learner())
        .min(Comparator.comparing(DefragmentationOrder::name));
    if (member.id() == etcd.leaderId() && takesOver.isPresent()) {
      return Optional.of(new DatabaseStep.MoveLeader(operation, name(member), name(takesOver.get()),
          takesOver.get().id()));
    }
    return Optional.of(new DatabaseStep.Defragment(operation, name(member), member.database().reclaimableBytes(),
        sizeBeforeBytes));
  }

  /** Waits unless a leader is known and every member is healthy: a member defragmented must not cost the quorum. */
  static Optional<DatabaseStep> unlessHealthy(String operation, String what, ClusterView etcd) {
    List<MemberView> unhealthy = etcd.members().stream().filter(m -> !m.healthy()).toList();
    if (etcd.leader().isPresent() && unhealthy.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new DatabaseStep.Wait(operation, what + " waits until every member is healthy, as"
        + " defragmenting one takes it out for a while (not healthy: "
        + String.join(", ", unhealthy.stream().map(DefragmentationOrder::name).toList()) + ")"));
  }

  /** The member named for a step: as etcd lists it, or by ID before it has started. */
  static String name(MemberView member) {
    return member.started() ? member.name() : member.idHex();
  }

  /** The members' databases together. */
  static long total(ClusterView etcd) {
    return etcd.members().stream().mapToLong(m -> m.database().bytes()).sum();
  }

  static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
