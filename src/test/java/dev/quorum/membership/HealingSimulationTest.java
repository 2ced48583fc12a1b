package dev.quorum.membership;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.membership.MembershipPlanner.Step;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.Quorum;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Healing, pass by pass, through the pure planner against a small model of etcd and Kubernetes: every ordinal of
 * every size loses its data (an ephemeral pod deleted, or a claim and pod deleted) or breaks past the deadline, with
 * the leader anywhere; two members of a larger cluster are lost one after the other, the second at every step of the
 * first's replacement. The planner keeps nothing between passes, so each pass is also an operator that just
 * restarted: a change cut short anywhere is finished by the next pass.
 *
 * <p>Invariants at every step: the voters that answer never fall below their quorum; etcd never holds more than one
 * learner (it refuses a second); no peer URL is listed twice; a member's pod never starts before its record. The end:
 * {@code size} started voters, all healthy, no learner, a pod for each.
 */
class HealingSimulationTest {

  private static final int MAX_PASSES = 60;
  private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");

  /** etcd and Kubernetes as the planner sees them, changed by each step as they would be. */
  private static final class World {
    final EtcdClusterModel model;
    final List<MemberView> etcd = new ArrayList<>();
    MemberBootstrapRecords records;
    final Set<String> pods = new HashSet<>();
    final Set<String> brokenPods = new HashSet<>();
    final Set<String> claims = new HashSet<>();
    int leaderOrdinal;
    long nextId = 100;
    final List<String> steps = new ArrayList<>();

    World(EtcdCluster cluster, int leaderOrdinal) {
      this.leaderOrdinal = leaderOrdinal;
      EtcdClusterModel founding = TestClusters.model(cluster);
      this.records = TestClusters.foundingRecords(founding);
      this.model = TestClusters.model(cluster, records);
      for (Member m : model.members()) {
        etcd.add(voter(m, nextId++, true));
        pods.add(m.name());
        if (!model.ephemeral()) {
          claims.add(model.claimName(m));
        }
      }
    }

    static MemberView voter(Member m, long id, boolean healthy) {
      return new MemberView(id, m.name(), List.of(m.peerUrl()), List.of(m.clientUrl()), false, healthy, healthy,
          healthy ? "3.6.16" : null, healthy ? null : "connection refused");
    }

    Member member(int ordinal) {
      return model.members().get(ordinal);
    }

    /** The member loses its pod and data (an ephemeral pod, or a claim and pod, deleted): etcd no longer hears it. */
    void loseData(int ordinal) {
      Member m = member(ordinal);
      pods.remove(m.name());
      claims.remove(model.claimName(m));
      brokenPods.remove(m.name());
      setHealth(m, false);
    }

    /** The member's etcd stops and cannot start again: its pod stays, not ready. */
    void breakMember(int ordinal) {
      Member m = member(ordinal);
      brokenPods.add(m.name());
      setHealth(m, false);
    }

    void setHealth(Member m, boolean healthy) {
      etcd.replaceAll(e -> e.peerURLs().contains(m.peerUrl())
          ? new MemberView(e.id(), e.name(), e.peerURLs(), e.clientURLs(), e.learner(), healthy && e.started(),
              healthy && e.started(), e.version(), healthy ? null : "connection refused")
          : e);
    }

    ClusterView reading() {
      // the leader is the chosen member while it is a healthy voter, else the first healthy voter
      long leader = etcd.stream().filter(e -> !e.learner() && e.healthy())
          .filter(e -> e.name().equals(member(leaderOrdinal).name())).findFirst()
          .or(() -> etcd.stream().filter(e -> !e.learner() && e.healthy()).findFirst())
          .map(MemberView::id).orElse(0L);
      return new ClusterView(0xcafe, leader, List.copyOf(etcd));
    }

    List<Pod> podList() {
      List<Pod> list = new ArrayList<>();
      for (int i = 0; i < model.size(); i++) {
        String name = member(i).name();
        if (pods.contains(name)) {
          Pod pod = TestClusters.pod(model, i, !brokenPods.contains(name));
          if (brokenPods.contains(name)) {
            pod.getMetadata().setCreationTimestamp("2026-12-06T09:00:00Z");
            pod.getStatus().getConditions().get(0).setLastTransitionTime("2026-12-06T09:00:00Z");
          }
          list.add(pod);
        }
      }
      return list;
    }

    List<PersistentVolumeClaim> claimList() {
      List<PersistentVolumeClaim> list = new ArrayList<>();
      for (int i = 0; i < model.size(); i++) {
        if (claims.contains(model.claimName(member(i)))) {
          list.add(TestClusters.claim(model, i));
        }
      }
      return list;
    }

    /** One pass: the planner decides, the step is carried out, then Kubernetes and etcd do their part. */
    Optional<Step> pass() {
      MembershipPlanner.Plan plan = MembershipPlanner.plan(TestClusters.model(model.resource(), records), records,
          podList(), model.ephemeral() ? List.of() : claimList(), Optional.of(reading()),
          new MembershipPlanner.BrokenAfter(Duration.ofMinutes(10), NOW));
      Set<String> podsSeen = Set.copyOf(pods);
      plan.step().ifPresent(this::apply);
      // the rollout creates the pods (and claims) of members not held back that had none when the pass began
      for (Member m : model.members()) {
        if (!podsSeen.contains(m.name()) && !plan.holdBack().contains(m.name())) {
          assertThat(records.of(m.name())).as(m.name() + " starts only once on record").isPresent();
          pods.add(m.name());
          claims.add(model.claimName(m));
        }
      }
      // a member whose pod runs starts: a learner added for it takes its name, a member with its data comes back
      for (Member m : model.members()) {
        if (pods.contains(m.name()) && !brokenPods.contains(m.name())) {
          etcd.replaceAll(e -> e.peerURLs().contains(m.peerUrl()) && (!e.started() || !e.healthy())
              ? new MemberView(e.id(), m.name(), e.peerURLs(), List.of(m.clientUrl()), e.learner(), true, true,
                  "3.6.16", null)
              : e);
        }
      }
      checkInvariants();
      return plan.step();
    }

    void apply(Step step) {
      steps.add(step.getClass().getSimpleName() + " " + step.member());
      if (step instanceof Step.Remove remove) {
        etcd.removeIf(e -> e.id() == remove.id());
      } else if (step instanceof Step.AddLearner add) {
        assertThat(etcd.stream().filter(MemberView::learner)).as("etcd takes one learner at a time").isEmpty();
        etcd.add(new MemberView(nextId++, "", List.of(add.peerUrl()), List.of(), true, false, false, null,
            "not started"));
      } else if (step instanceof Step.Record record) {
        records = records.with(record.member(), record.bootstrap());
      } else if (step instanceof Step.Promote promote) {
        etcd.replaceAll(e -> e.id() == promote.id() ? new MemberView(e.id(), e.name(), e.peerURLs(),
            e.clientURLs(), false, e.reachable(), e.leaderKnown(), e.version(), e.error()) : e);
      } else if (step instanceof Step.Discard discard) {
        pods.remove(discard.member());
        brokenPods.remove(discard.member());
        claims.remove("data-" + discard.member());
      } else if (!(step instanceof Step.Wait)) {
        throw new AssertionError("a healing needs no " + step);
      }
    }

    void checkInvariants() {
      long voters = etcd.stream().filter(e -> !e.learner()).count();
      long healthyVoters = etcd.stream().filter(e -> !e.learner() && e.healthy()).count();
      assertThat(healthyVoters).as("healthy voters keep their quorum: " + steps)
          .isGreaterThanOrEqualTo(Quorum.quorum((int) voters));
      assertThat(etcd.stream().filter(MemberView::learner).count()).as("at most one learner").isLessThanOrEqualTo(1);
      assertThat(etcd.stream().map(e -> e.peerURLs().get(0)).distinct().count()).as("no peer URL twice")
          .isEqualTo(etcd.size());
    }

    boolean healed() {
      return etcd.size() == model.size() && etcd.stream().allMatch(e -> e.started() && !e.learner() && e.healthy())
          && pods.size() == model.size();
    }

    /** Passes until healed with no step due, running {@code between} before pass {@code at}. */
    void heal(String as, int at, Runnable between) {
      for (int pass = 0; pass < MAX_PASSES; pass++) {
        if (pass == at) {
          between.run();
        }
        if (pass().isEmpty() && pass > at && healed()) {
          return;
        }
      }
      throw new AssertionError(as + ": not healed after " + MAX_PASSES + " passes: " + steps + "; etcd: " + etcd);
    }
  }

  private static EtcdCluster cluster(int size, boolean ephemeral) {
    EtcdCluster cluster = TestClusters.cluster("demo", size);
    cluster.getSpec().getStorage().setEphemeral(ephemeral);
    return cluster;
  }

  @ParameterizedTest(name = "{0} members")
  @ValueSource(ints = {3, 5, 7, 9})
  void everyMemberWhoseDataIsGoneComesBackWhereverTheLeaderIs(int size) {
    for (boolean ephemeral : List.of(true, false)) {
      for (int lost = 0; lost < size; lost++) {
        for (int leader = 0; leader < size; leader++) {
          World world = new World(cluster(size, ephemeral), leader);
          int ordinal = lost;
          world.loseData(ordinal);
          world.heal((ephemeral ? "ephemeral" : "persistent") + " member " + lost + " lost, leader " + leader, -1,
              () -> {});
          assertThat(world.steps).as("remove, add, record, promote").containsSubsequence(
              "Remove demo-" + lost, "AddLearner demo-" + lost, "Record demo-" + lost, "Promote demo-" + lost);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} members")
  @ValueSource(ints = {3, 5, 7, 9})
  void everyMemberBrokenPastTheDeadlineIsReplacedWhereverTheLeaderIs(int size) {
    for (int broken = 0; broken < size; broken++) {
      for (int leader = 0; leader < size; leader++) {
        World world = new World(cluster(size, false), leader);
        world.breakMember(broken);
        world.heal("member " + broken + " broken, leader " + leader, -1, () -> {});
        assertThat(world.steps).containsSubsequence("Discard demo-" + broken, "Remove demo-" + broken,
            "Promote demo-" + broken);
      }
    }
  }

  @ParameterizedTest(name = "{0} members")
  @ValueSource(ints = {5, 7, 9})
  void twoMembersLostOneAfterTheOtherComeBackOneAtATimeAtEveryStepOfTheFirst(int size) {
    for (int first = 0; first < size; first++) {
      for (int second = 0; second < size; second++) {
        if (second == first) {
          continue;
        }
        for (int at = 0; at <= 6; at++) {
          World world = new World(cluster(size, true), 0);
          world.loseData(first);
          int other = second;
          world.heal("member " + first + ", then " + second + " at pass " + at, at, () -> world.loseData(other));
          assertThat(world.steps).filteredOn(s -> s.startsWith("Promote")).containsExactlyInAnyOrder(
              "Promote demo-" + first, "Promote demo-" + second);
        }
      }
    }
  }
}
