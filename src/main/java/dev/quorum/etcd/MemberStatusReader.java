package dev.quorum.etcd;

import io.etcd.jetcd.cluster.Member;
import io.etcd.jetcd.cluster.MemberListResponse;
import java.net.URI;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Lists a cluster's members and asks each one its status, all at once and each within the request
 * timeout, so one dead member never delays what the others report.
 */
public final class MemberStatusReader {

  private MemberStatusReader() {}

  /**
   * @param endpointsByName where to reach each member by name (e.g. http://podIP:2379); a member
   *     missing here is asked on the first client URL it advertises
   */
  public static ClusterSnapshot read(EtcdClusterClient client, Map<String, String> endpointsByName) {
    MemberListResponse list = client.listMembers().join();
    Map<Long, CompletableFuture<MemberProbe>> probes = new HashMap<>();
    for (Member member : list.getMembers()) {
      String endpoint = endpointFor(member, endpointsByName);
      probes.put(member.getId(), endpoint == null
          ? CompletableFuture.completedFuture(MemberProbe.notAddressable())
          : client.memberStatus(endpoint).handle((status, failure) ->
              failure == null ? MemberProbe.answered(status) : MemberProbe.failed(failure)));
    }
    CompletableFuture.allOf(probes.values().toArray(CompletableFuture[]::new)).join();
    Map<Long, MemberProbe> answers = new HashMap<>();
    probes.forEach((id, probe) -> answers.put(id, probe.join()));
    return snapshot(list.getHeader().getClusterId(), list.getMembers(), answers);
  }

  static String endpointFor(Member member, Map<String, String> endpointsByName) {
    String byName = endpointsByName.get(member.getName());
    if (byName != null) {
      return byName;
    }
    return member.getClientURIs().isEmpty() ? null : member.getClientURIs().get(0).toString();
  }

  /** Pure: combines the member list with the members' answers. */
  static ClusterSnapshot snapshot(long clusterId, List<Member> members, Map<Long, MemberProbe> probes) {
    List<MemberSnapshot> snapshots = members.stream()
        .map(m -> member(m, probes.getOrDefault(m.getId(), MemberProbe.notAddressable())))
        .sorted(Comparator.comparing(MemberSnapshot::name).thenComparing(MemberSnapshot::id))
        .toList();
    return new ClusterSnapshot(clusterId, leaderId(probes.values()), snapshots);
  }

  /** The leader seen by the member with the newest Raft term: an isolated member may remember an old one. */
  static long leaderId(Iterable<MemberProbe> probes) {
    MemberProbe newest = null;
    for (MemberProbe probe : probes) {
      if (probe.reachable() && probe.leaderId() != 0 && (newest == null || probe.raftTerm() > newest.raftTerm())) {
        newest = probe;
      }
    }
    return newest == null ? 0 : newest.leaderId();
  }

  private static MemberSnapshot member(Member member, MemberProbe probe) {
    return new MemberSnapshot(
        member.getId(),
        member.getName() == null ? "" : member.getName(),
        member.getPeerURIs().stream().map(URI::toString).toList(),
        member.getClientURIs().stream().map(URI::toString).toList(),
        member.isLearner(),
        probe.reachable(),
        probe.reachable() && probe.leaderId() != 0,
        probe.version(),
        probe.error(),
        probe.revision());
  }
}
