package dev.quorum.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.model.ClusterNode;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.recovery.SurvivorRecovery.Step;
import dev.quorum.specs.EtcdArgs;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SurvivorRecoveryTest {

  private static final int MAX_PASSES = 40;

  /**
   * A cluster of {@code size} whose majority lost its data, the rest down but for the survivor, which holds data
   * without a leader. The world answers the steps as Kubernetes and etcd would: a pod deleted goes, a missing pod not
   * held back is made from its record, a member started with --force-new-cluster becomes the only voter. In StaticPod
   * mode the pods are the kubelets' mirror pods: a manifest taken away stops its pod, a manifest written anew restarts
   * it from the record, and a member not held back gets its manifest (the others' nodes still hold their manifests).
   */
  private static final class World {
    final EtcdClusterModel model;
    final List<ClusterNode> nodes;
    MemberBootstrapRecords records;
    final List<Pod> pods = new ArrayList<>();
    final Set<String> manifests = new HashSet<>();
    final List<PersistentVolumeClaim> claims = new ArrayList<>();
    final Set<String> voters = new HashSet<>();
    final String survivor;
    final SurvivorRecovery.Request request;
    final List<String> steps = new ArrayList<>();

    World(int size, int survivorOrdinal, boolean othersStillRunning) {
      this(size, survivorOrdinal, othersStillRunning, false);
    }

    World(int size, int survivorOrdinal, boolean othersStillRunning, boolean staticPods) {
      EtcdCluster cluster = staticPods ? TestClusters.staticPodCluster("demo") : TestClusters.cluster("demo", size);
      cluster.getSpec().setSize(size);
      this.nodes = staticPods ? TestClusters.nodes(size, IntStream.range(0, size).toArray()) : List.of();
      this.records = TestClusters.foundingRecords(modelWith(cluster, MemberBootstrapRecords.NONE));
      this.model = modelWith(cluster, records);
      this.survivor = model.members().get(survivorOrdinal).name();
      Set<String> setAside = new HashSet<>();
      for (Member member : model.members()) {
        voters.add(member.name());
        boolean isSurvivor = member.name().equals(survivor);
        if (staticPods) {
          // every node keeps its manifest; the others' pods crash-loop on broken data, or their nodes are down
          manifests.add(member.name());
          if (isSurvivor || othersStillRunning) {
            pods.add(TestClusters.mirrorPod(model, member.ordinal()));
          }
          continue;
        }
        // a minority of the others keep their claims (down, data kept); the rest lost theirs
        boolean keepsClaim = isSurvivor || member.ordinal() < size / 2 && member.ordinal() != survivorOrdinal;
        if (keepsClaim) {
          PersistentVolumeClaim claim = new PersistentVolumeClaimBuilder(TestClusters.claim(model, member.ordinal()))
              .editMetadata().withUid(member.name() + "-claim-uid").endMetadata().build();
          claims.add(claim);
          if (!isSurvivor) {
            setAside.add(claim.getMetadata().getUid());
          }
        }
        if (isSurvivor || keepsClaim && othersStillRunning) {
          pods.add(TestClusters.pod(model, member.ordinal(), false));
        }
      }
      this.request = new SurvivorRecovery.Request(survivor, setAside);
    }

    private EtcdClusterModel modelWith(EtcdCluster cluster, MemberBootstrapRecords records) {
      return cluster.getSpec().staticPods() ? TestClusters.staticPodModel(cluster, records, nodes)
          : TestClusters.model(cluster, records);
    }

    /** The member's pod as made from its record now. */
    private Pod podFromRecord(Member member) {
      EtcdClusterModel now = modelWith(model.resource(), records);
      return model.staticPods() ? TestClusters.mirrorPod(now, member.ordinal())
          : TestClusters.pod(now, member.ordinal(), false);
    }

    SurvivorRecovery.Plan plan() {
      return SurvivorRecovery.next(model, records, pods, manifests, claims, Optional.of(view()), request);
    }

    /** What etcd answers: every member on the list, the survivor answering when its pod runs. */
    ClusterView view() {
      List<MemberView> members = new ArrayList<>();
      boolean survivorRuns = pod(survivor).isPresent();
      boolean alone = voters.equals(Set.of(survivor));
      for (Member member : model.members()) {
        if (!voters.contains(member.name())) {
          continue;
        }
        boolean answers = member.name().equals(survivor) && survivorRuns;
        members.add(new MemberView(member.ordinal() + 1, member.name(), List.of(member.peerUrl()),
            List.of(member.clientUrl()), false, answers, answers && alone, answers ? "3.6.16" : null,
            answers ? null : "connection refused", answers ? 90 : 0, answers ? 120 : 0));
      }
      return new ClusterView(0xcafe, alone && survivorRuns ? model.members().stream()
          .filter(m -> m.name().equals(survivor)).findFirst().get().ordinal() + 1 : 0, members);
    }

    Optional<Pod> pod(String name) {
      return pods.stream().filter(p -> p.getMetadata().getName().equals(name)).findFirst();
    }

    void apply(SurvivorRecovery.Plan plan) {
      Step step = plan.step();
      steps.add(step.getClass().getSimpleName());
      if (step instanceof Step.StopOthers stop) {
        pods.removeAll(stop.pods());
        manifests.removeAll(stop.manifests());
      } else if (step instanceof Step.Force force) {
        records = records.with(force.survivor(), force.forced());
      } else if (step instanceof Step.Unforce unforce) {
        records = records.with(unforce.survivor(), unforce.unforced());
      } else if (step instanceof Step.RestartSurvivor restart) {
        pods.remove(restart.pod());
      } else if (step instanceof Step.SetAside aside) {
        claims.removeAll(aside.claims());
      }
      // the kubelets: a static pod whose manifest went stops
      pods.removeIf(p -> model.staticPods() && !manifests.contains(p.getMetadata().getName()));
      // the rollout: a missing pod not held back is made from its record (a static one from its manifest, made too)
      for (Member member : modelWith(model.resource(), records).members()) {
        if (pod(member.name()).isEmpty() && !plan.holdBack().contains(member.name())) {
          manifests.add(member.name());
          pods.add(podFromRecord(member));
        }
      }
      // etcd: a member started with --force-new-cluster makes itself the only voter
      pod(survivor).filter(EtcdArgs::forcesNewCluster).ifPresent(p -> voters.retainAll(Set.of(survivor)));
      checkInvariants();
    }

    void checkInvariants() {
      List<String> otherPods = pods.stream().map(p -> p.getMetadata().getName()).filter(n -> !n.equals(survivor))
          .toList();
      if (pod(survivor).filter(EtcdArgs::forcesNewCluster).isPresent()) {
        assertThat(otherPods).as("another member runs beside the forced survivor, after " + steps).isEmpty();
        assertThat(manifests).as("another member's manifest beside the forced survivor, after " + steps)
            .isSubsetOf(Set.of(survivor));
      }
      boolean setAsideLeft = claims.stream().anyMatch(c -> request.setAside().contains(c.getMetadata().getUid()));
      if (setAsideLeft || model.staticPods()) {
        // a static member's old data stays on its node for good: until the hand-over, none of the others starts
        assertThat(otherPods).as("a member started while old data is set aside, after " + steps)
            .isSubsetOf(initiallyRunningOthers);
      }
    }
    Set<String> initiallyRunningOthers = Set.of();

    /** Runs passes until the recovery hands over to the membership planner; {@code crashAt} skips one step. */
    void recover(int crashAt) {
      initiallyRunningOthers = pods.stream().map(p -> p.getMetadata().getName()).filter(n -> !n.equals(survivor))
          .collect(Collectors.toSet());
      for (int pass = 0; pass < MAX_PASSES; pass++) {
        SurvivorRecovery.Plan plan = plan();
        if (plan.step() instanceof Step.Rejoin) {
          return;
        }
        assertThat(plan.step()).as("after " + steps).isNotInstanceOf(Step.Fail.class);
        if (pass == crashAt) {
          steps.add("crash before " + plan.step().getClass().getSimpleName());
          continue; // the operator died before acting: the next one decides again from the world
        }
        apply(plan);
      }
      throw new AssertionError("no hand-over after " + MAX_PASSES + " passes: " + steps);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 5, 7})
  void everyMemberAsTheSurvivorEndsAloneWithoutTheFlagAndEveryOldClaimSetAside(int size) {
    for (int survivor = 0; survivor < size; survivor++) {
      for (boolean othersRunning : new boolean[] {false, true}) {
        for (int crashAt = -1; crashAt < 8; crashAt++) {
          World world = new World(size, survivor, othersRunning, false);

          world.recover(crashAt);

          String why = "survivor " + world.survivor + ", others running " + othersRunning + ": " + world.steps;
          assertThat(world.voters).as(why).containsExactly(world.survivor);
          assertThat(world.records.of(world.survivor).orElseThrow().forceNewCluster()).as(why).isFalse();
          assertThat(world.pod(world.survivor)).as(why)
              .hasValueSatisfying(p -> assertThat(EtcdArgs.forcesNewCluster(p)).isFalse());
          assertThat(world.claims).as(why).noneMatch(c -> world.request.setAside().contains(c.getMetadata().getUid()));
          assertThat(world.steps).as(why).containsSubsequence("Force", "RestartSurvivor", "Unforce",
              "RestartSurvivor");
          assertThat(world.steps.contains("SetAside")).as(why).isEqualTo(!world.request.setAside().isEmpty());
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 5, 7})
  void inStaticPodModeEveryMemberAsTheSurvivorEndsAloneWithTheOthersManifestsGone(int size) {
    for (int survivor = 0; survivor < size; survivor++) {
      for (boolean othersRunning : new boolean[] {false, true}) {
        for (int crashAt = -1; crashAt < 8; crashAt++) {
          World world = new World(size, survivor, othersRunning, true);

          world.recover(crashAt);

          String why = "survivor " + world.survivor + ", others running " + othersRunning + ": " + world.steps;
          assertThat(world.voters).as(why).containsExactly(world.survivor);
          assertThat(world.manifests).as(why).containsExactly(world.survivor);
          assertThat(world.pods).as(why).singleElement()
              .satisfies(p -> assertThat(EtcdArgs.forcesNewCluster(p)).isFalse());
          assertThat(world.records.of(world.survivor).orElseThrow().forceNewCluster()).as(why).isFalse();
          assertThat(world.steps).as(why).startsWith(crashAt == 0 ? "crash before StopOthers" : "StopOthers")
              .containsSubsequence("Force", "RestartSurvivor", "Unforce", "RestartSurvivor")
              .doesNotContain("SetAside");
        }
      }
    }
  }

  @Test
  void theSurvivorRestartedByItsKubeletWhileForcedStaysAloneAndTheRecoveryGoesOn() {
    World world = new World(3, 1, false);
    while (!(world.plan().step() instanceof Step.Unforce)) {
      world.apply(world.plan());
    }
    // its container restarted with the flag still on the command line: it forces itself again, alone as it is
    world.voters.retainAll(Set.of(world.survivor));

    world.recover(-1);

    assertThat(world.voters).containsExactly(world.survivor);
  }

  @Test
  void theSurvivorsDataGoneClosesThisWayBack() {
    World world = new World(3, 2, false);
    world.pods.clear();
    world.claims.removeIf(c -> c.getMetadata().getName().equals("data-demo-2"));

    assertThat(world.plan().step()).isInstanceOfSatisfying(Step.Fail.class,
        fail -> assertThat(fail.reason()).contains("demo-2", "recover from a backup"));
  }

  @Test
  void aSurvivorThatDoesNotAnswerIsWaitedForNotForced() {
    World world = new World(3, 0, false);
    Pod down = new PodBuilder(world.pod("demo-0").orElseThrow()).build();
    world.pods.clear();
    // its pod gone for now: nothing answers, and nothing is forced on a member whose membership is unknown
    SurvivorRecovery.Plan plan = SurvivorRecovery.next(world.model, world.records, world.pods, world.manifests,
        world.claims, Optional.empty(), world.request);

    assertThat(plan.step()).isInstanceOf(Step.Wait.class);
    assertThat(plan.holdBack()).containsExactlyInAnyOrder("demo-1", "demo-2");
    assertThat(down.getMetadata().getName()).isEqualTo("demo-0");
  }
}
