package dev.quorum.membership;

import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.model.ClusterMembers;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrap;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.PodReadiness;
import dev.quorum.model.Quorum;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Pure: decides the next single membership step once the cluster has formed, from etcd's member list, the members'
 * records, pods and claims. Three changes go through it, one step at a time and in this order:
 *
 * <ul>
 *   <li><b>replacement</b>: a member whose data is gone (an ephemeral member's pod deleted, or a member's claim
 *       deleted) cannot start again under its old identity, so its old entry is removed and it comes back as a fresh
 *       learner; likewise a static pod member on record that etcd no longer lists and that does not run (dropped by a
 *       recovery's {@code --force-new-cluster}, or removed by hand): its data on its node is of no use to etcd any more;
 *   <li><b>scale up</b>: a member within the size but not on record joins as a learner: added at its peer URL,
 *       recorded as joining the existing cluster, started, promoted once caught up; then the next one;
 *   <li><b>scale down</b>: a member beyond the size leaves, highest ordinal first: leadership moves away from it,
 *       it is removed through the etcd API, then its pod, claims and record go.
 * </ul>
 *
 * <p>Each step is recognised afterwards from etcd's member list and the records alone, so an operator that dies
 * between two steps finishes the change on restart: never a duplicate member, never a healthy one removed. A learner
 * added for a member that is no longer wanted (the size shrank meanwhile) is removed again.
 */
public final class MembershipPlanner {

  /**
   * What kind of change a step belongs to, as the status reports it. A learner's promotion is the last step of adding
   * a member, whether it replaces one that lost its data or grows the cluster.
   */
  public enum Operation {
    ReplaceMember,
    AddMember,
    RemoveMember
  }

  /** What to do now; at most one step per pass. */
  public sealed interface Step {
    String member();

    Operation operation();

    /**
     * Deletes the pod and data of a member that stayed broken past the deadline, so it is replaced by a new member
     * (the steps for a member whose data is gone follow).
     */
    record Discard(String member, String why, Operation operation) implements Step {}

    /** Removes the member's entry from etcd (its data is gone, or it leaves). */
    record Remove(String member, long id, Operation operation) implements Step {}

    /** Adds the member as a learner at its peer URL. */
    record AddLearner(String member, String peerUrl, Operation operation) implements Step {}

    /** Records the member as joining the existing cluster, before its pod is created. */
    record Record(String member, MemberBootstrap bootstrap, Operation operation) implements Step {}

    /** Promotes the member's learner to a voter (etcd refuses until it has caught up). */
    record Promote(String member, long id, Operation operation) implements Step {}

    /** Moves leadership from {@code member} (the leader, about to leave) to a member that stays. */
    record MoveLeader(String member, String toMember, long toId, Operation operation) implements Step {}

    /** Deletes a member's pod and claims, then its record: it has left etcd. */
    record Retire(String member, Operation operation) implements Step {}

    /**
     * Nothing can be done safely now; the change resumes by itself once it can.
     *
     * @param waitsFor what it waits for, as a condition reason (one of the {@code WAITING_FOR_} values)
     * @param reason why, in words
     */
    record Wait(String member, String waitsFor, String reason, Operation operation) implements Step {}
  }

  /**
   * @param step the next step, if the members need one
   * @param holdBack members whose pod (and claim) must not be created yet: they would start on an empty data
   *     directory before the membership expects them
   */
  public record Plan(Optional<Step> step, Set<String> holdBack) {
    static final Plan NOTHING = new Plan(Optional.empty(), Set.of());

    /** A change is under way or waiting: members are held back or a step is due. */
    public boolean busy() {
      return step.isPresent() || !holdBack.isEmpty();
    }
  }

  public static final String WAITING_FOR_HEALTHY_MEMBERS = "WaitingForHealthyMembers";
  public static final String WAITING_FOR_LEARNER = "WaitingForLearner";
  public static final String WAITING_FOR_ETCD = "WaitingForEtcd";
  public static final String WAITING_FOR_CERTIFICATES = "WaitingForCertificates";

  private MembershipPlanner() {}

  /** What a step (other than a wait) does, in words, for the status. */
  public static String describe(Step step) {
    if (step instanceof Step.Wait wait) {
      return wait.reason();
    }
    if (step instanceof Step.Discard discard) {
      return discard.why() + ": deleting its pod and data so it is replaced by a new member";
    }
    if (step instanceof Step.Remove) {
      return step.operation() == Operation.RemoveMember
          ? "removing " + step.member() + " from the etcd membership"
          : "removing the old entry of " + step.member() + ", whose data is gone, from the etcd membership";
    }
    if (step instanceof Step.AddLearner) {
      return "adding " + step.member() + " to the etcd membership as a learner";
    }
    if (step instanceof Step.Record) {
      return "recording " + step.member() + " as joining the cluster, before its pod starts";
    }
    if (step instanceof Step.Promote) {
      return "promoting learner " + step.member() + " to a voting member once it has caught up";
    }
    if (step instanceof Step.MoveLeader move) {
      return "moving leadership from " + move.member() + " to " + move.toMember() + " before " + move.member()
          + " leaves";
    }
    return "deleting the pod, volume claim and record of " + step.member() + ", which has left the cluster";
  }

  /**
   * When a member counts as broken for good: not ready for {@code after} (since its pod last became not ready, or
   * was created), while etcd does not hear from it either.
   */
  public record BrokenAfter(Duration after, Instant now) {
    public static final BrokenAfter NEVER = new BrokenAfter(null, null);

    boolean broken(Pod pod) {
      if (after == null || pod.getMetadata().getDeletionTimestamp() != null) {
        return false;
      }
      Optional<String> since = pod.getStatus() == null || pod.getStatus().getConditions() == null ? Optional.empty()
          : pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
              .filter(c -> !"True".equals(c.getStatus())).map(c -> c.getLastTransitionTime()).findFirst();
      if (since.isEmpty() && PodReadiness.ready(pod)) {
        return false;
      }
      String from = since.filter(t -> t != null && !t.isEmpty()).orElse(pod.getMetadata().getCreationTimestamp());
      return from != null && Instant.parse(from).plus(after).isBefore(now);
    }

    /**
     * A pod whose deletion is {@code after} past its deadline (the deletion timestamp, grace period included): its
     * kubelet would have confirmed it long ago, so its node no longer answers (stopped, or cut off), and the pod
     * object stays until someone deletes it for good.
     */
    boolean stuckTerminating(Pod pod) {
      String deadline = pod.getMetadata().getDeletionTimestamp();
      return after != null && deadline != null && Instant.parse(deadline).plus(after).isBefore(now);
    }
  }

  public static Plan plan(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      List<PersistentVolumeClaim> claims, Optional<ClusterView> etcd) {
    return plan(model, records, pods, claims, etcd, BrokenAfter.NEVER);
  }

  public static Plan plan(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      List<PersistentVolumeClaim> claims, Optional<ClusterView> etcd, BrokenAfter brokenAfter) {
    return plan(model, records, pods, claims, etcd, brokenAfter, Optional.empty());
  }

  /**
   * A member whose data differs from the majority's (etcd's CORRUPT alarm, confirmed by the members' hashes): it is
   * discarded as a broken one is, and joins again copying the others' data. {@code id} is its ID in etcd: once it
   * joined again under its name, with a new ID, it is no longer the one meant.
   */
  public record Diverged(String member, long id, String why) {}

  /** @param diverged a member to replace because its data differs, if any */
  public static Plan plan(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      List<PersistentVolumeClaim> claims, Optional<ClusterView> etcd, BrokenAfter brokenAfter,
      Optional<Diverged> diverged) {
    if (records.isEmpty()) {
      return Plan.NOTHING; // founding members start from their records, written before any pod
    }
    // a member with no record joins an existing cluster: its pod waits for the record, whatever etcd says
    Set<String> holdBack = new TreeSet<>();
    model.members().stream().filter(m -> records.of(m.name()).isEmpty()).map(Member::name).forEach(holdBack::add);
    if (etcd.isEmpty()) {
      Optional<Step> waiting = holdBack.stream().findFirst().map(name -> new Step.Wait(name, WAITING_FOR_ETCD,
          name + " joins once etcd answers: no member can be reached to add it", Operation.AddMember));
      return new Plan(waiting, Set.copyOf(holdBack));
    }
    ClusterView view = etcd.get();
    Set<String> podNames = pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    Set<String> claimNames = claims.stream().map(c -> c.getMetadata().getName()).collect(Collectors.toSet());
    List<Step> steps = new ArrayList<>();
    Optional<Step> divergedStep = Optional.empty();
    for (Member member : model.members()) {
      Optional<MemberView> entry = entryOf(view, member);
      boolean joining = records.of(member.name()).isEmpty();
      Operation operation = joining ? Operation.AddMember : Operation.ReplaceMember;
      boolean hasPod = podNames.contains(member.name());
      // a static member's data is on its node, never seen gone; but once etcd has dropped it, it can only come back new
      boolean dataGone = ClusterMembers.dataGone(model, member, podNames, claimNames)
          || model.staticPods() && !hasPod && !joining && entry.isEmpty();
      Optional<Step> next = Optional.empty();
      if (hasPod) {
        Pod pod = pods.stream().filter(p -> member.name().equals(p.getMetadata().getName())).findFirst().get();
        if (!model.staticPods() && brokenAfter.stuckTerminating(pod)
            && entry.filter(e -> e.started() && e.healthy()).isEmpty()) {
          // its node is gone: the member is discarded (again), which deletes the stuck pod for good; its entry stays
          // until then, so only the member's own data is given up, never a quorum
          next = Optional.of(entry.map(e -> discard(view, member, e, brokenAfter.after()))
              .orElseGet(() -> new Step.Discard(member.name(), stuckWhy(member, brokenAfter.after()),
                  Operation.ReplaceMember)));
        } else if (entry.isPresent() && pod.getMetadata().getDeletionTimestamp() == null && diverged
            .filter(d -> d.member().equals(member.name()) && d.id() == entry.get().id()).isPresent()) {
          divergedStep = Optional.of(discard(view, member, entry.get(), diverged.get().why()));
        } else if (entry.isPresent() && entry.get().learner() && entry.get().started() && brokenAfter.broken(pod)) {
          // a learner that never catches up holds the one learner slot etcd allows: it goes, and joins afresh
          next = Optional.of(discard(view, member, entry.get(), brokenAfter.after()));
        } else if (entry.isPresent() && entry.get().learner() && entry.get().started()) {
          next = Optional.of(new Step.Promote(member.name(), entry.get().id(), Operation.AddMember));
        } else if (entry.isPresent() && entry.get().started() && !entry.get().learner()
            && !entry.get().healthy() && brokenAfter.broken(pod)) {
          next = Optional.of(discard(view, member, entry.get(), brokenAfter.after()));
        }
      } else if (entry.isPresent() && entry.get().started() && dataGone && !joining) {
        holdBack.add(member.name());
        next = Optional.of(removal(view, member, entry.get(), Operation.ReplaceMember));
      } else if (entry.isEmpty() && (dataGone || joining)) {
        holdBack.add(member.name());
        next = Optional.of(joining ? scaleUp(view, member) : addLearner(view, member, operation));
      } else if (entry.isPresent() && entry.get().learner() && !entry.get().started()) {
        MemberBootstrap joiningBootstrap = joining(model, view, member);
        if (!records.of(member.name()).filter(joiningBootstrap::equals).isPresent()) {
          holdBack.add(member.name());
          next = Optional.of(new Step.Record(member.name(), joiningBootstrap, operation));
        }
      }
      next.ifPresent(steps::add);
    }
    departing(model, records, view).stream().map(member -> departure(model, view, member))
        .forEach(steps::add);
    // a diverged member goes only once no other member is being replaced: one member out of the cluster at a time
    divergedStep.filter(d -> steps.stream().allMatch(Step.Wait.class::isInstance)).ifPresent(steps::add);
    // one step at a time, the others wait their turn (their pods stay held back): see urgency
    Optional<Step> next = steps.stream().min(java.util.Comparator.comparingInt(MembershipPlanner::urgency));
    return new Plan(next, Set.copyOf(holdBack));
  }

  /**
   * Which step goes first when several members need one (lower first; equals by ordinal, then departures):
   *
   * <ol>
   *   <li>promoting a learner, then recording one: a change under way is finished before another starts, and etcd
   *       takes one learner at a time;
   *   <li>removing the entry of a member whose data is gone: a dead voter out of the membership lowers the quorum
   *       the others must make up (the removal itself waits while it would cost quorum);
   *   <li>discarding a member broken past the deadline, then adding a learner;
   *   <li>a member that is to leave (scale down, a node unlabelled) goes ahead of any step that waits: a dead member
   *       being replaced elsewhere is what keeps the others from being healthy;
   *   <li>waits last.
   * </ol>
   */
  private static int urgency(Step step) {
    if (step instanceof Step.Wait) {
      return 9;
    }
    if (step instanceof Step.Promote) {
      return 0;
    }
    if (step instanceof Step.Record) {
      return 1;
    }
    if (step instanceof Step.Remove && step.operation() == Operation.ReplaceMember) {
      return 2;
    }
    if (step instanceof Step.Discard) {
      return 3;
    }
    if (step instanceof Step.AddLearner) {
      return 4;
    }
    return 5;
  }

  /**
   * No member is added while the cluster's CA changes: the change waits for every member on record to run each of
   * its steps, and a new member needs a certificate for its name (in StaticPod mode, its node's address) that only
   * the CA being replaced could issue until the change is done. The member joins once it is.
   *
   * @param caChange the step a change of CA waits at, while one is under way
   */
  public static Plan holdingJoins(Plan plan, Optional<String> caChange) {
    if (caChange.isEmpty() || !(plan.step().orElse(null) instanceof Step.AddLearner add)
        || add.operation() != Operation.AddMember) {
      return plan;
    }
    return new Plan(Optional.of(new Step.Wait(add.member(), WAITING_FOR_CERTIFICATES, "adding " + add.member()
        + " waits until the change of CA is done (" + caChange.get() + ")", add.operation())), plan.holdBack());
  }

  /** The member's entry in etcd's member list, matched by its peer URL (which is what etcd knows it by). */
  public static Optional<MemberView> entryOf(ClusterView view, Member member) {
    return view.members().stream().filter(m -> m.peerURLs().contains(member.peerUrl())).findFirst();
  }

  /**
   * A new member is added only while every voter is healthy and no other learner is catching up (etcd takes one
   * learner at a time): adding to a cluster that is already short of members would only make it wait longer.
   */
  private static Step scaleUp(ClusterView view, Member member) {
    List<String> unhealthy = view.members().stream().filter(m -> !m.learner())
        .filter(m -> !m.healthy()).map(MembershipPlanner::nameOf).sorted().toList();
    if (!unhealthy.isEmpty()) {
      return new Step.Wait(member.name(), WAITING_FOR_HEALTHY_MEMBERS, String.format("adding %s waits until every"
          + " voting member is healthy (not healthy: %s)", member.name(), String.join(", ", unhealthy)),
          Operation.AddMember);
    }
    return addLearner(view, member, Operation.AddMember);
  }

  /**
   * A member is added as a learner once no other learner is catching up: etcd takes one learner at a time, and refuses
   * a second. Also how a member whose entry was removed (its data is gone) is added back.
   */
  private static Step addLearner(ClusterView view, Member member, Operation operation) {
    Optional<String> learner = view.members().stream().filter(MemberView::learner)
        .map(MembershipPlanner::nameOf).findFirst();
    if (learner.isPresent()) {
      return new Step.Wait(member.name(), WAITING_FOR_LEARNER, String.format("adding %s%s waits until learner %s is"
          + " promoted", member.name(), operation == Operation.ReplaceMember ? " back" : "", learner.get()), operation);
    }
    return new Step.AddLearner(member.name(), member.peerUrl(), operation);
  }

  /**
   * Members that are to leave, in the order they leave (highest ordinal, or last node, first): those on record that
   * are not members, and any entry etcd lists at the peer URL of one (a learner added just before the size shrank or
   * its node left the selection).
   */
  static List<Member> departing(EtcdClusterModel model, MemberBootstrapRecords records, ClusterView view) {
    return model.others().stream()
        .filter(member -> records.of(member.name()).isPresent() || entryOf(view, member).isPresent())
        .toList();
  }

  /** Leadership first moves to a member that stays; then the entry is removed; then the member's objects go. */
  private static Step departure(EtcdClusterModel model, ClusterView view, Member member) {
    Optional<MemberView> entry = entryOf(view, member);
    if (entry.isEmpty()) {
      return new Step.Retire(member.name(), Operation.RemoveMember);
    }
    if (entry.get().id() == view.leaderId()) {
      Optional<MemberView> successor = model.members().stream()
          .map(m -> entryOf(view, m))
          .flatMap(Optional::stream)
          .filter(m -> !m.learner() && m.started() && m.healthy())
          .findFirst();
      if (successor.isEmpty()) {
        return new Step.Wait(member.name(), WAITING_FOR_HEALTHY_MEMBERS, member.name() + " leads and no member that"
            + " stays is healthy enough to take over; it leaves once one is", Operation.RemoveMember);
      }
      return new Step.MoveLeader(member.name(), successor.get().name(), successor.get().id(),
          Operation.RemoveMember);
    }
    return removal(view, member, entry.get(), Operation.RemoveMember);
  }

  private static String stuckWhy(Member member, Duration after) {
    return String.format("%s's pod is still terminating %ds past its deadline: its node does not answer",
        member.name(), after.toSeconds());
  }

  private static Step discard(ClusterView view, Member member, MemberView entry, Duration after) {
    return discard(view, member, entry, String.format("%s has not been ready for over %ds and etcd does not hear"
        + " from it (%s)", member.name(), after.toSeconds(), entry.error() == null ? "no leader known" : entry.error()));
  }

  /** A member is discarded only while the others would make a quorum without it, as its removal needs. */
  private static Step discard(ClusterView view, Member member, MemberView entry, String why) {
    Step removal = removal(view, member, entry, Operation.ReplaceMember);
    return removal instanceof Step.Wait ? removal : new Step.Discard(member.name(), why, Operation.ReplaceMember);
  }

  /** Removes the entry only while the other reachable voters still make a quorum of the smaller cluster. */
  private static Step removal(ClusterView view, Member member, MemberView entry, Operation operation) {
    long voters = view.members().stream().filter(m -> !m.learner()).count();
    long votersAfter = entry.learner() ? voters : voters - 1;
    long healthyOthers = view.members().stream()
        .filter(m -> !m.learner() && m.id() != entry.id() && m.healthy()).count();
    int quorumAfter = Quorum.quorum((int) votersAfter);
    if (healthyOthers < quorumAfter) {
      String why = operation == Operation.RemoveMember ? "is to leave" : "lost its data";
      return new Step.Wait(member.name(), WAITING_FOR_HEALTHY_MEMBERS, String.format("%s %s, but removing it would"
          + " leave %d healthy of %d voting members, below the quorum of %d; it waits until more members are healthy",
          member.name(), why, healthyOthers, votersAfter, quorumAfter), operation);
    }
    return new Step.Remove(member.name(), entry.id(), operation);
  }

  /** The member's record as a learner joining the cluster as etcd lists it: every member by name, this one too. */
  static MemberBootstrap joining(EtcdClusterModel model, ClusterView view, Member member) {
    Map<String, String> peers = new LinkedHashMap<>();
    for (MemberView m : view.members()) {
      String name = m.peerURLs().contains(member.peerUrl()) ? member.name() : m.name();
      if (name != null && !name.isEmpty() && !m.peerURLs().isEmpty()) {
        peers.put(name, m.peerURLs().get(0));
      }
    }
    List<String> pairs = new ArrayList<>();
    new TreeSet<>(peers.keySet()).forEach(name -> pairs.add(name + "=" + peers.get(name)));
    // a static member's data directory is on its node, out of the operator's reach: each join gets a fresh one, named
    // after the entry etcd added, so the data of an earlier life on that node (set aside, or left by a scale-down) is
    // never started on
    Optional<String> dataName = model.staticPods()
        ? entryOf(view, member).map(entry -> EtcdClusterModel.freshDataName(member.name(), entry.idHex()))
            .or(() -> member.bootstrap().dataClaim())
        : member.bootstrap().dataClaim();
    return new MemberBootstrap(MemberBootstrap.State.EXISTING, String.join(",", pairs), member.bootstrap().token(),
        dataName, Optional.empty());
  }

  /** A member's name as etcd lists it, or the host of its peer URL before it has started. */
  private static String nameOf(MemberView member) {
    if (member.started()) {
      return member.name();
    }
    String url = member.peerURLs().isEmpty() ? member.idHex() : member.peerURLs().get(0);
    String host = url.replaceFirst("^[a-z]+://", "");
    return host.split("[.:]")[0];
  }
}
