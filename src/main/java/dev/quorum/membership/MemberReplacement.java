package dev.quorum.membership;

import dev.quorum.etcd.ClusterSnapshot;
import dev.quorum.etcd.MemberSnapshot;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrap;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.Quorum;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Pure: decides the next single step that brings back a member whose data is gone (an ephemeral member's pod
 * deleted, or a member's claim deleted) once the cluster has formed. Such a member cannot start again under its old
 * identity: etcd knows it as started, and an empty data directory would bootstrap a new one. So it goes out and comes
 * back as a fresh learner: remove its old entry, add a learner at its stable peer URL, record it as joining the
 * existing cluster with the membership the add returned, let its pod be created, promote it once it caught up.
 *
 * <p>Each step is recognised afterwards from etcd's member list and the records alone, so an operator that dies
 * between two steps finishes the change on restart: never a duplicate member, never a healthy one removed.
 */
public final class MemberReplacement {

  /** What to do now; at most one step per pass. */
  public sealed interface Step {
    String member();

    /** Removes the member's old entry (its data is gone). */
    record Remove(String member, long id) implements Step {}

    /** Adds the member back as a learner at its peer URL. */
    record AddLearner(String member, String peerUrl) implements Step {}

    /** Records the member as joining the existing cluster, before its pod is created. */
    record Record(String member, MemberBootstrap bootstrap) implements Step {}

    /** Promotes the member's learner to a voter (etcd refuses until it has caught up). */
    record Promote(String member, long id) implements Step {}

    /** Nothing can be done safely now, and why. */
    record Wait(String member, String reason) implements Step {}
  }

  /**
   * @param step the next step, if the members need one
   * @param holdBack members whose pod (and claim) must not be created yet: they would start on an empty data
   *     directory before the membership expects them
   */
  public record Plan(Optional<Step> step, Set<String> holdBack) {
    static final Plan NOTHING = new Plan(Optional.empty(), Set.of());
  }

  private MemberReplacement() {}

  public static Plan plan(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      List<PersistentVolumeClaim> claims, Optional<ClusterSnapshot> etcd) {
    if (etcd.isEmpty() || records.isEmpty()) {
      return Plan.NOTHING; // nothing formed to rejoin, or nobody to ask: members start from their records
    }
    ClusterSnapshot snapshot = etcd.get();
    Set<String> podNames = pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    Set<String> claimNames = claims.stream().map(c -> c.getMetadata().getName()).collect(Collectors.toSet());
    Set<String> holdBack = new TreeSet<>();
    Optional<Step> step = Optional.empty();
    for (Member member : model.members()) {
      Optional<MemberSnapshot> entry = snapshot.members().stream()
          .filter(m -> m.peerURLs().contains(member.peerUrl())).findFirst();
      boolean hasPod = podNames.contains(member.name());
      boolean dataGone = !hasPod && (model.storage().isEphemeral() || !claimNames.contains(model.claimName(member)));
      Optional<Step> next = Optional.empty();
      if (hasPod) {
        if (entry.isPresent() && entry.get().learner() && entry.get().started()) {
          next = Optional.of(new Step.Promote(member.name(), entry.get().id()));
        }
      } else if (entry.isPresent() && entry.get().started() && dataGone) {
        holdBack.add(member.name());
        next = Optional.of(removal(snapshot, member, entry.get()));
      } else if (entry.isEmpty() && dataGone) {
        holdBack.add(member.name());
        next = Optional.of(new Step.AddLearner(member.name(), member.peerUrl()));
      } else if (entry.isPresent() && entry.get().learner() && !entry.get().started()) {
        MemberBootstrap joining = joining(model, snapshot, member);
        if (!records.of(member.name()).filter(joining::equals).isPresent()) {
          holdBack.add(member.name());
          next = Optional.of(new Step.Record(member.name(), joining));
        }
      }
      if (step.isEmpty()) {
        step = next;
      } else if (next.isPresent()) {
        holdBack.add(member.name()); // one change at a time: the others wait their turn
      }
    }
    return new Plan(step, Set.copyOf(holdBack));
  }

  /** Removes the entry only while the other reachable voters still make a quorum of the smaller cluster. */
  private static Step removal(ClusterSnapshot snapshot, Member member, MemberSnapshot entry) {
    long voters = snapshot.members().stream().filter(m -> !m.learner()).count();
    long votersAfter = entry.learner() ? voters : voters - 1;
    long healthyOthers = snapshot.members().stream()
        .filter(m -> !m.learner() && m.id() != entry.id() && m.reachable() && m.leaderKnown()).count();
    int quorumAfter = Quorum.quorum((int) votersAfter);
    if (healthyOthers < quorumAfter) {
      return new Step.Wait(member.name(), String.format("%s lost its data, but removing it would leave %d healthy"
          + " of %d voting members, below the quorum of %d; it waits until more members are healthy",
          member.name(), healthyOthers, votersAfter, quorumAfter));
    }
    return new Step.Remove(member.name(), entry.id());
  }

  /** The member's record as a learner joining the cluster as etcd lists it: every member by name, this one too. */
  static MemberBootstrap joining(EtcdClusterModel model, ClusterSnapshot snapshot, Member member) {
    Map<String, String> peers = new LinkedHashMap<>();
    for (MemberSnapshot m : snapshot.members()) {
      String name = m.peerURLs().contains(member.peerUrl()) ? member.name() : m.name();
      if (name != null && !name.isEmpty() && !m.peerURLs().isEmpty()) {
        peers.put(name, m.peerURLs().get(0));
      }
    }
    List<String> pairs = new ArrayList<>();
    new TreeSet<>(peers.keySet()).forEach(name -> pairs.add(name + "=" + peers.get(name)));
    return new MemberBootstrap(MemberBootstrap.State.EXISTING, String.join(",", pairs), member.bootstrap().token(),
        member.bootstrap().dataClaim(), Optional.empty());
  }
}
