package dev.quorum.recovery;

import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.membership.MembershipPlanner;
import dev.quorum.model.ClusterMembers;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.Quorum;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pure: whether a formed cluster has lost its quorum, and whether it gets it back by itself. Each voter stands in one
 * of four ways; quorum is lost when fewer than a quorum serve, and lost <em>for good</em> when fewer than a quorum
 * could ever serve again with their own data (serving, holding data, or able to come back with it). A loss that is
 * only members restarting is waited out: only a loss for good is ever recovered from.
 *
 * <p>The voters are the started, non-learner entries of etcd's member list, which any reachable member serves from
 * its own state, quorum or not; when no member answers, the members on record.
 */
public final class QuorumLoss {

  /** How a voter stands, from best to worst. */
  public enum Standing {
    /** It answers and follows (or is) a leader. */
    SERVING,
    /** It answers but has no leader: its data is there, at its Raft index. */
    HOLDS_DATA,
    /** It does not answer, but its data is kept (its pod or claim exists, or a snapshot restores it). */
    MAY_RETURN,
    /** It does not answer and its data is gone: no pod, and its claim is gone or its storage was the pod's. */
    DATA_GONE
  }

  /**
   * @param raftIndex the last Raft entry it holds, when it answered (0 otherwise)
   * @param revision the store revision it has applied, when it answered (0 otherwise)
   */
  public record Voter(String name, Standing standing, long raftIndex, long revision) {

    boolean holdsData() {
      return standing == Standing.SERVING || standing == Standing.HOLDS_DATA;
    }
  }

  /**
   * The voters of a formed cluster as they stand now.
   *
   * @param newestBackup what the newest Succeeded backup of the cluster would restore, when it is known
   */
  public record Assessment(List<Voter> voters, Optional<String> newestBackup) {

    public Assessment(List<Voter> voters) {
      this(voters, Optional.empty());
    }

    /** The same, with what restoring the newest backup would give up (from its EtcdBackup). */
    public Assessment withNewestBackup(Optional<String> newestBackup) {
      return new Assessment(voters, newestBackup);
    }

    public int quorum() {
      return Quorum.quorum(voters.size());
    }

    public boolean lost() {
      return count(Standing.SERVING) < quorum();
    }

    /**
     * No voter follows a leader: the loss is etcd's own, not only the operator's view of it. A member that follows a
     * leader while others do not answer the operator may sit in a majority the operator cannot reach; nothing is
     * recovered then.
     */
    public boolean noLeader() {
      return count(Standing.SERVING) == 0;
    }

    /** Fewer than a quorum could serve again with their own data: waiting does not bring the cluster back. */
    public boolean lostForGood() {
      return lost() && voters.size() - count(Standing.DATA_GONE) < quorum();
    }

    /**
     * The member a recovery from a survivor starts from: the one that answers with the most data (the highest Raft
     * index; then revision, then name, so the choice is stable).
     */
    public Optional<Voter> bestSurvivor() {
      return voters.stream().filter(Voter::holdsData)
          .max(Comparator.comparingLong(Voter::raftIndex).thenComparingLong(Voter::revision)
              .thenComparing(Voter::name, Comparator.reverseOrder()));
    }

    public List<String> named(Standing standing) {
      return voters.stream().filter(v -> v.standing() == standing).map(Voter::name).toList();
    }

    private long count(Standing standing) {
      return voters.stream().filter(v -> v.standing() == standing).count();
    }

    /**
     * What a user reads in the condition and the event: how the voters stand, then whether waiting brings quorum
     * back or what ways back there are.
     */
    public String summary() {
      String backup = newestBackup.map(b -> "from " + b).orElse("from a backup (none of the cluster's has Succeeded)");
      String ways = bestSurvivor()
          .map(best -> "recover from the best survivor " + best.name() + " (raft index " + best.raftIndex()
              + ", revision " + best.revision() + ") or " + backup)
          .orElse("no member answers with data, recover " + backup);
      if (!lostForGood()) {
        // a static pod's data, or a claim on a node that does not answer, may be gone for good without the operator
        // seeing it: the user who knows is told the ways back too
        return describe() + "; waiting for the members whose data is kept to come back; if they cannot, " + ways;
      }
      return describe() + "; quorum cannot come back by itself: " + ways;
    }

    /** For a condition: how many serve, who is gone, who holds data and how far each got. */
    public String describe() {
      List<String> parts = new ArrayList<>();
      parts.add(String.format("%d of %d voters serve, etcd needs %d", count(Standing.SERVING), voters.size(),
          quorum()));
      if (!named(Standing.DATA_GONE).isEmpty()) {
        parts.add("data gone: " + String.join(", ", named(Standing.DATA_GONE)));
      }
      if (!named(Standing.MAY_RETURN).isEmpty()) {
        parts.add("not answering, data kept: " + String.join(", ", named(Standing.MAY_RETURN)));
      }
      List<String> holding = voters.stream().filter(v -> v.standing() == Standing.HOLDS_DATA)
          .map(v -> v.name() + " (raft index " + v.raftIndex() + ", revision " + v.revision() + ")").toList();
      if (!holding.isEmpty()) {
        parts.add("holding data without a leader: " + String.join(", ", holding));
      }
      return String.join("; ", parts);
    }
  }

  private QuorumLoss() {}

  /**
   * @param hadQuorum whether the cluster has had a quorum (it was Available): a cluster still being created has
   *     lost nothing
   * @return the voters as they stand, for a formed cluster with members on record
   */
  public static Optional<Assessment> assess(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      List<PersistentVolumeClaim> claims, Optional<ClusterView> etcd, boolean hadQuorum) {
    // an in-place restore stops and restarts every member on purpose: it is not a loss
    if (!hadQuorum || records.isEmpty() || records.restoring()) {
      return Optional.empty();
    }
    Set<String> podNames = pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    Set<String> claimNames = claims.stream().map(c -> c.getMetadata().getName()).collect(Collectors.toSet());
    List<Voter> voters = new ArrayList<>();
    if (etcd.isPresent()) {
      for (MemberView entry : etcd.get().members()) {
        if (entry.learner()) {
          continue;
        }
        Optional<Member> member = model.members().stream()
            .filter(m -> MembershipPlanner.entryOf(etcd.get(), m).filter(e -> e.id() == entry.id()).isPresent())
            .findFirst();
        String name = member.map(Member::name).orElse(entry.started() ? entry.name() : entry.idHex());
        voters.add(new Voter(name, standing(entry, member.map(m -> ClusterMembers.dataGone(model, m, podNames, claimNames)
            // a voter added but never started never had data; its pod, once made, joins and votes
            && entry.started()).orElse(false)), entry.raftIndex(), entry.revision()));
      }
    } else {
      for (Member member : model.members()) {
        records.of(member.name()).ifPresent(bootstrap -> voters.add(new Voter(member.name(),
            ClusterMembers.dataGone(model, member, podNames, claimNames) ? Standing.DATA_GONE : Standing.MAY_RETURN,
            0, 0)));
      }
    }
    return voters.isEmpty() ? Optional.empty() : Optional.of(new Assessment(List.copyOf(voters)));
  }

  private static Standing standing(MemberView entry, boolean dataGone) {
    if (entry.healthy()) {
      return Standing.SERVING;
    }
    if (entry.reachable()) {
      return Standing.HOLDS_DATA;
    }
    return dataGone ? Standing.DATA_GONE : Standing.MAY_RETURN;
  }
}
