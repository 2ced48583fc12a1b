package dev.quorum.etcd;

import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberListResponse;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Reads how a cluster is: every member asked its status at once (each within the request timeout, so one dead member
 * never delays what the others report), then the member list from the member best placed to give it
 * ({@link MemberTargets#forMemberList}: the leader first, never a learner when another can answer), then the status of
 * listed members not asked yet, at the client URL they advertise.
 */
public final class ClusterViewReader {

  private ClusterViewReader() {}

  /**
   * @param endpointsByName where to reach each member by name (its stable DNS name); a listed member missing here is
   *     asked at the first client URL it advertises
   * @throws EtcdCallFailed when no member serves the member list
   */
  public static ClusterView read(EtcdClusterClient client, Map<String, String> endpointsByName) {
    Map<String, CompletableFuture<MemberProbe>> asking = new HashMap<>();
    endpointsByName.forEach((name, endpoint) -> asking.put(name, ask(client, endpoint)));
    Map<String, MemberProbe> answers = new HashMap<>();
    asking.forEach((name, probe) -> answers.put(name, probe.join()));

    MemberListResponse list = client.listMembers(MemberTargets.forMemberList(endpointsByName, answers));

    Map<Long, CompletableFuture<MemberProbe>> byId = new HashMap<>();
    for (Member member : list.getMembersList()) {
      MemberProbe answer = member.getName().isEmpty() ? null : answers.get(member.getName());
      if (answer != null) {
        boolean another = answer.reachable() && answer.memberId() != 0 && answer.memberId() != member.getID();
        byId.put(member.getID(), CompletableFuture.completedFuture(another ? MemberProbe.answeredAsAnother(answer)
            : answer));
      } else if (!member.getName().isEmpty() && member.getClientURLsCount() > 0) {
        byId.put(member.getID(), ask(client, member.getClientURLs(0)));
      }
    }
    Map<Long, MemberProbe> probes = new HashMap<>();
    byId.forEach((id, probe) -> probes.put(id, probe.join()));
    ClusterView view = view(list.getHeader().getClusterId(), list.getMembersList(), probes);
    return withHashes(client, endpointsByName, withAlarms(client, endpointsByName, view));
  }

  /**
   * While etcd has raised CORRUPT, the view with every answering voter's hash of its data at one revision: the lowest
   * any of them has applied (under the alarm, etcd applies no more writes, so they meet there), each asked at once.
   */
  private static ClusterView withHashes(EtcdClusterClient client, Map<String, String> endpointsByName,
      ClusterView view) {
    if (view.alarms(EtcdAlarm.Type.CORRUPT).isEmpty()) {
      return view;
    }
    List<MemberView> voters = view.members().stream()
        .filter(m -> m.started() && !m.learner() && m.reachable() && endpointsByName.containsKey(m.name())).toList();
    long revision = voters.stream().mapToLong(MemberView::revision).min().orElse(0);
    if (revision == 0) {
      return view;
    }
    Map<Long, CompletableFuture<MemberHash>> asking = new HashMap<>();
    voters.forEach(m -> asking.put(m.id(), client.memberHash(endpointsByName.get(m.name()), revision)));
    Map<Long, MemberHash> hashes = new HashMap<>();
    asking.forEach((id, hash) -> {
      MemberHash answer = hash.handle((read, failure) -> failure == null ? read : null).join();
      if (answer != null && answer.memberId() == id) {
        hashes.put(id, answer); // one that did not answer is left out, not guessed
      }
    });
    return view.withHashes(hashes);
  }

  /** The view with the cluster's alarms, when a member with a quorum behind it lists them (none without a leader). */
  private static ClusterView withAlarms(EtcdClusterClient client, Map<String, String> endpointsByName, ClusterView view) {
    List<String> targets = MemberTargets.forMembershipChange(endpointsByName, view);
    if (view.leaderId() == 0 || targets.isEmpty()) {
      return view;
    }
    try {
      return view.withAlarms(client.alarms(targets));
    } catch (EtcdCallFailed e) {
      return view; // unknown this time, not "none": the status keeps what it last saw
    }
  }

  private static CompletableFuture<MemberProbe> ask(EtcdClusterClient client, String endpoint) {
    return client.memberStatus(endpoint).handle((status, failure) ->
        failure == null ? MemberProbe.answered(status) : MemberProbe.failed(failure));
  }

  /** Pure: combines the member list with the members' answers. */
  static ClusterView view(long clusterId, List<Member> members, Map<Long, MemberProbe> probes) {
    List<MemberView> views = members.stream()
        .map(m -> member(m, probes.getOrDefault(m.getID(), MemberProbe.notAddressable())))
        .sorted(Comparator.comparing(MemberView::name).thenComparing(MemberView::id))
        .toList();
    return new ClusterView(clusterId, leaderId(probes.values()), views);
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

  private static MemberView member(Member member, MemberProbe probe) {
    return new MemberView(
        member.getID(),
        member.getName(),
        List.copyOf(member.getPeerURLsList()),
        List.copyOf(member.getClientURLsList()),
        member.getIsLearner(),
        probe.reachable(),
        probe.reachable() && probe.leaderId() != 0,
        probe.version(),
        probe.error(),
        probe.revision(),
        probe.raftIndex(),
        probe.database(),
        probe.storageVersion(),
        probe.downgradeTarget());
  }
}
