package dev.quorum.etcd;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Pure: which member each etcd call goes to, and in what order the members are tried. The one place this is decided.
 *
 * <p>etcd's members do not all serve every call: a learner answers only its own status (and serializable reads); a
 * member that is down or still starting answers nothing; only the leader moves leadership; a membership change is
 * decided by the leader (a follower forwards it, a learner refuses it). So:
 *
 * <ul>
 *   <li>a <b>membership change</b> (add, remove, promote) goes to the leader, then to the other healthy voters; never
 *       to a learner or to a member that did not answer;
 *   <li><b>leadership</b> is moved by the leader, and only by it;
 *   <li>the <b>member list</b> is read from the leader, then from the members that follow a leader, then from those
 *       that answered without one (cut off: their list may be behind); a learner among them refuses and the next is
 *       asked. A member that did not answer its status just now is not asked again: each would cost a pass the
 *       request timeout;
 *   <li>a member's <b>status</b> is asked of that member.
 * </ul>
 *
 * Members that rank the same are tried by name, so no choice depends on the order endpoints were given in.
 */
public final class MemberTargets {

  private MemberTargets() {}

  /**
   * Where to read the member list, best first, from what the members answered when asked their status.
   *
   * @param endpoints each member's client URL, by name
   * @param answers what each member (by name) answered; a member missing here was not asked
   */
  public static List<String> forMemberList(Map<String, String> endpoints, Map<String, MemberProbe> answers) {
    long leaderId = ClusterViewReader.leaderId(answers.values());
    Comparator<String> byRank = Comparator.comparingInt((String name) -> listRank(answers.get(name), leaderId))
        .thenComparing(Comparator.naturalOrder());
    return endpoints.keySet().stream().filter(name -> answers.containsKey(name) && answers.get(name).reachable())
        .sorted(byRank).map(endpoints::get).distinct().toList();
  }

  private static int listRank(MemberProbe answer, long leaderId) {
    if (leaderId != 0 && answer.memberId() == leaderId) {
      return 0;
    }
    return answer.leaderId() != 0 ? 1 : 2;
  }

  /**
   * Where to send a membership change, best first: the leader, then every other voter that answered and follows a
   * leader, by name. Empty when no healthy voter can be asked.
   */
  public static List<String> forMembershipChange(Map<String, String> endpoints, ClusterView reading) {
    Set<String> targets = new LinkedHashSet<>();
    reading.leader().filter(MemberTargets::healthyVoter).flatMap(m -> endpointOf(m, endpoints))
        .ifPresent(targets::add);
    reading.members().stream()
        .filter(MemberTargets::healthyVoter)
        .sorted(Comparator.comparing(MemberView::name))
        .map(m -> endpointOf(m, endpoints))
        .flatMap(Optional::stream)
        .forEach(targets::add);
    return new ArrayList<>(targets);
  }

  /** The leader's client URL, the only member that can hand leadership on; empty when no healthy leader is known. */
  public static Optional<String> forLeaderTransfer(Map<String, String> endpoints, ClusterView reading) {
    return reading.leader().filter(MemberTargets::healthyVoter).flatMap(m -> endpointOf(m, endpoints));
  }

  /** A voting member that has started, answered and follows a leader: it can take part in a change. */
  static boolean healthyVoter(MemberView member) {
    return member.started() && !member.learner() && member.healthy();
  }

  /** Where a member is reached: at its client URL by name, else the first it advertises. */
  static Optional<String> endpointOf(MemberView member, Map<String, String> endpoints) {
    String byName = member.started() ? endpoints.get(member.name()) : null;
    if (byName != null) {
      return Optional.of(byName);
    }
    return member.clientURLs().stream().findFirst();
  }
}
