package dev.quorum.cluster;

import static dev.quorum.TestClusters.claim;
import static dev.quorum.TestClusters.claims;
import static dev.quorum.TestClusters.ended;
import static dev.quorum.TestClusters.outdatedPod;
import static dev.quorum.TestClusters.pod;
import static dev.quorum.TestClusters.readyPods;
import static dev.quorum.TestClusters.terminating;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.specs.MemberPodBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MemberRolloutTest {

  private static final Optional<String> NO_LEADER = Optional.empty();
  /** The cluster has formed: its members hold data. */
  private static final boolean FORMED = true;

  private final EtcdCluster cluster = TestClusters.cluster("demo", 3);
  private final EtcdClusterModel current = TestClusters.model(cluster);

  @Test
  void anEmptyClusterGetsEveryClaimAndPod() {
    MemberRollout.Plan plan = MemberRollout.plan(current, List.of(), List.of(), NO_LEADER, FORMED);

    assertThat(plan.createClaims()).extracting(c -> c.getMetadata().getName())
        .containsExactly("data-demo-0", "data-demo-1", "data-demo-2");
    assertThat(plan.createClaims()).isEqualTo(claims(current));
    assertThat(plan.createPods()).extracting(p -> p.getMetadata().getName())
        .containsExactly("demo-0", "demo-1", "demo-2");
    assertThat(plan.createPods()).isEqualTo(current.members().stream()
        .map(m -> MemberPodBuilder.build(current, m)).toList());
    assertThat(plan.replace()).isEmpty();
    assertThat(plan.waiting()).isEmpty();
    assertThat(plan.isEmpty()).isFalse();
  }

  @Test
  void ephemeralMembersNeedNoClaims() {
    cluster.getSpec().getStorage().setEphemeral(true);
    EtcdClusterModel ephemeral = TestClusters.model(cluster);

    MemberRollout.Plan plan = MemberRollout.plan(ephemeral, List.of(), List.of(), NO_LEADER, FORMED);

    assertThat(plan.createClaims()).isEmpty();
    assertThat(plan.createPods()).hasSize(3);
  }

  @Test
  void aMissingPodIsCreatedAtOnceWhateverTheOthersDo() {
    List<Pod> pods = List.of(pod(current, 0, false), pod(current, 2, false));

    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims(current), NO_LEADER, FORMED);

    assertThat(plan.createClaims()).isEmpty();
    assertThat(plan.createPods()).extracting(p -> p.getMetadata().getName()).containsExactly("demo-1");
    assertThat(plan.replace()).isEmpty();
  }

  @Test
  void aClusterRunningTheCurrentSpecNeedsNothing() {
    MemberRollout.Plan plan = MemberRollout.plan(current, readyPods(current), claims(current), Optional.of("demo-0"), FORMED);

    assertThat(plan.isEmpty()).isTrue();
    assertThat(plan.waiting()).isEmpty();
  }

  @Test
  void anUpToDatePodThatIsNotReadyIsLeftAlone() {
    List<Pod> pods = List.of(pod(current, 0, true), pod(current, 1, false), pod(current, 2, true));

    assertThat(MemberRollout.plan(current, pods, claims(current), NO_LEADER, FORMED).isEmpty()).isTrue();
  }

  @Test
  void aRestartedMemberWhosePodIsReadyButTheOperatorDoesNotReachYetHoldsTheNextRestart() {
    // demo-2 was restarted: its pod is ready, its name does not resolve for the operator yet
    List<Pod> pods = List.of(outdatedPod(current, 0, true), outdatedPod(current, 1, true), pod(current, 2, true));

    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims(current), Optional.of("demo-0"), FORMED,
        Optional.of(Set.of("demo-0", "demo-1")));

    assertThat(plan.replace()).isEmpty();
    assertThat(plan.waiting()).hasValueSatisfying(why -> assertThat(why).contains("every member must be ready first")
        .contains("demo-2, whose pod is ready but the operator does not reach it yet"));
  }

  @Test
  void anOutdatedMemberWithAReadyPodTheOperatorDoesNotReachIsNotTakenForBroken() {
    // demo-1's pod is ready; a moment without an answer must not make it go first by a plain delete
    List<Pod> pods = List.of(pod(current, 0, true), outdatedPod(current, 1, true), outdatedPod(current, 2, true));

    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims(current), Optional.of("demo-2"), FORMED,
        Optional.of(Set.of("demo-0", "demo-2")));

    assertThat(plan.replace()).isEmpty();
    assertThat(plan.waiting()).hasValueSatisfying(why -> assertThat(why)
        .contains("demo-1, whose pod is ready but the operator does not reach it yet"));
  }

  @Test
  void onceTheOperatorReachesEveryMemberTheRollGoesOn() {
    List<Pod> pods = List.of(outdatedPod(current, 0, true), outdatedPod(current, 1, true), pod(current, 2, true));

    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims(current), Optional.of("demo-0"), FORMED,
        Optional.of(Set.of("demo-0", "demo-1", "demo-2")));

    assertThat(plan.replace()).hasValueSatisfying(r -> assertThat(r.pod()).isSameAs(pods.get(1)));
  }

  @Test
  void aBrokenMemberStillGoesFirstWhileTheOthersTheOperatorReachesKeepAQuorum() {
    List<Pod> pods = List.of(outdatedPod(current, 0, false), pod(current, 1, true), pod(current, 2, true));

    assertThat(MemberRollout.plan(current, pods, claims(current), Optional.of("demo-1"), FORMED,
        Optional.of(Set.of("demo-1", "demo-2"))).replace()).hasValueSatisfying(r -> assertThat(r.pod())
        .isSameAs(pods.get(0)));
    // with only one of the others reached, restarting it would leave fewer than a quorum the operator can confirm
    assertThat(MemberRollout.plan(current, pods, claims(current), Optional.of("demo-1"), FORMED,
        Optional.of(Set.of("demo-1"))).replace()).isEmpty();
  }

  @Test
  void oneOutdatedPodIsReplacedWhenEveryMemberIsReady() {
    List<Pod> pods = List.of(pod(current, 0, true), outdatedPod(current, 1, true), pod(current, 2, true));

    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims(current), Optional.of("demo-0"), FORMED);

    assertThat(plan.createClaims()).isEmpty();
    assertThat(plan.createPods()).isEmpty();
    assertThat(plan.replace()).hasValueSatisfying(replacement -> {
      assertThat(replacement.pod()).isSameAs(pods.get(1));
      assertThat(replacement.reason()).isEqualTo(Reasons.ROLLING_UPDATE);
      assertThat(replacement.message())
          .isEqualTo("restarting demo-1 with the current spec (2 of 3 members updated)");
    });
    assertThat(plan.waiting()).isEmpty();
  }

  @Test
  void followersRollFirstByDescendingOrdinalAndTheLeaderLast() {
    EtcdClusterModel five = TestClusters.model(TestClusters.cluster("demo", 5));

    List<Member> order = MemberRollout.outdated(five, byName(outdatedPods(five)), Optional.of("demo-2"));

    assertThat(order).extracting(Member::name).containsExactly("demo-4", "demo-3", "demo-1", "demo-0", "demo-2");
  }

  @Test
  void withoutAKnownLeaderTheHighestOrdinalRollsFirst() {
    List<Member> order = MemberRollout.outdated(current, byName(outdatedPods(current)), NO_LEADER);

    assertThat(order).extracting(Member::name).containsExactly("demo-2", "demo-1", "demo-0");
  }

  @Test
  void aRollReplacesOneMemberAtATimeLeavingTheLeaderForLast() {
    Optional<String> leader = Optional.of("demo-1");
    List<Pod> pods = new ArrayList<>(outdatedPods(current));
    List<String> replaced = new ArrayList<>();

    for (int step = 0; step < 3; step++) {
      MemberRollout.Replacement next = MemberRollout.plan(current, pods, claims(current), leader, FORMED).replace()
          .orElseThrow();
      String name = next.pod().getMetadata().getName();
      replaced.add(name);
      // the member comes back with the current spec and becomes ready before the next step
      int ordinal = Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
      pods.set(ordinal, pod(current, ordinal, true));
      if (step == 2) {
        assertThat(next.message()).isEqualTo(
            "restarting demo-1 with the current spec (2 of 3 members updated; it leads, so it goes last)");
      }
    }

    assertThat(replaced).containsExactly("demo-2", "demo-0", "demo-1");
    assertThat(MemberRollout.plan(current, pods, claims(current), leader, FORMED).isEmpty()).isTrue();
  }

  @Test
  void theRollWaitsWhileAMemberIsNotReady() {
    // demo-2 was just replaced and has not caught up yet
    List<Pod> pods = List.of(outdatedPod(current, 0, true), outdatedPod(current, 1, true), pod(current, 2, false));

    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims(current), Optional.of("demo-0"), FORMED);

    assertThat(plan.replace()).isEmpty();
    assertThat(plan.isEmpty()).isTrue();
    assertThat(plan.waiting())
        .contains("the roll waits: every member must be ready first (not ready: demo-2)");
  }

  @Test
  void theRollWaitsForAMissingMemberToBeCreatedFirst() {
    List<Pod> pods = List.of(outdatedPod(current, 0, true), outdatedPod(current, 1, true));

    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims(current), NO_LEADER, FORMED);

    assertThat(plan.createPods()).extracting(p -> p.getMetadata().getName()).containsExactly("demo-2");
    assertThat(plan.replace()).isEmpty();
    assertThat(plan.waiting()).hasValueSatisfying(w -> assertThat(w).contains("being (re)created: demo-2"));
  }

  @Test
  void aPodThatEndedIsReplacedEvenWhileOthersAreNotReady() {
    Pod evicted = ended(pod(current, 0, true), "Failed", "Evicted");
    List<Pod> pods = List.of(evicted, pod(current, 1, false), outdatedPod(current, 2, true));

    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims(current), NO_LEADER, FORMED);

    assertThat(plan.replace()).hasValueSatisfying(replacement -> {
      assertThat(replacement.pod()).isSameAs(evicted);
      assertThat(replacement.reason()).isEqualTo(Reasons.MEMBER_POD_ENDED);
      assertThat(replacement.message()).isEqualTo("replacing pod demo-0, which ended (Failed: Evicted)");
    });
    assertThat(plan.createPods()).isEmpty();
  }

  @Test
  void aPodThatSucceededHasEndedToo() {
    Pod exited = ended(pod(current, 1, true), "Succeeded", null);
    List<Pod> pods = List.of(pod(current, 0, true), exited, pod(current, 2, true));

    assertThat(MemberRollout.plan(current, pods, claims(current), NO_LEADER, FORMED).replace())
        .hasValueSatisfying(replacement -> {
          assertThat(replacement.pod()).isSameAs(exited);
          assertThat(replacement.message()).isEqualTo("replacing pod demo-1, which ended (Succeeded)");
        });
  }

  @Test
  void aPodBeingDeletedIsNeitherReplacedNorRecreated() {
    List<Pod> pods = List.of(outdatedPod(current, 0, true), outdatedPod(current, 1, true),
        terminating(outdatedPod(current, 2, true)));

    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims(current), NO_LEADER, FORMED);

    assertThat(plan.createPods()).as("its name is still taken").isEmpty();
    assertThat(plan.replace()).isEmpty();
    assertThat(plan.waiting()).hasValueSatisfying(w -> assertThat(w).contains("being (re)created: demo-2"));
  }

  @Test
  void aMemberWaitsForItsTerminatingClaimBeforeItGetsAPod() {
    List<PersistentVolumeClaim> claims = List.of(claim(current, 0), terminating(claim(current, 1)), claim(current, 2));
    List<Pod> pods = List.of(pod(current, 0, true), pod(current, 2, true));

    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims, NO_LEADER, FORMED);

    assertThat(plan.createClaims()).as("its claim is still there, going away").isEmpty();
    assertThat(plan.createPods()).as("a pod now would bind the claim that is going away").isEmpty();
    assertThat(plan.waiting()).contains("demo-1 waits for its old volume claim to be deleted");
  }

  @Test
  void aMemberWhoseClaimWentBeforeItsPodGetsNoNewClaimUntilThePodIsGoneToo() {
    for (int ordinal = 0; ordinal < 3; ordinal++) {
      int lost = ordinal;
      List<PersistentVolumeClaim> claims = claims(current).stream()
          .filter(c -> !c.getMetadata().getName().equals("data-demo-" + lost)).toList();
      List<Pod> pods = current.members().stream().map(m -> m.ordinal() == lost
          ? terminating(pod(current, m.ordinal(), false)) : pod(current, m.ordinal(), true)).toList();

      MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims, NO_LEADER, FORMED);

      assertThat(plan.createClaims()).as("demo-%d: a new claim would bring it back as itself, empty", lost).isEmpty();
      assertThat(plan.createPods()).isEmpty();
      assertThat(plan.waiting()).hasValueSatisfying(w -> assertThat(w)
          .contains("demo-" + lost + " waits for its pod to go with its volume claim"));
    }
  }

  @Test
  void theOtherMembersAreCreatedWhileOneWaitsForItsClaim() {
    List<PersistentVolumeClaim> claims = List.of(terminating(claim(current, 0)));

    MemberRollout.Plan plan = MemberRollout.plan(current, List.of(), claims, NO_LEADER, FORMED);

    assertThat(plan.createClaims()).extracting(c -> c.getMetadata().getName())
        .containsExactly("data-demo-1", "data-demo-2");
    assertThat(plan.createPods()).extracting(p -> p.getMetadata().getName()).containsExactly("demo-1", "demo-2");
    assertThat(plan.waiting()).contains("demo-0 waits for its old volume claim to be deleted");
  }

  private List<Pod> outdatedPods(EtcdClusterModel model) {
    return model.members().stream().map(m -> outdatedPod(model, m.ordinal(), true)).toList();
  }

  private static Map<String, Pod> byName(List<Pod> pods) {
    return pods.stream().collect(Collectors.toMap(p -> p.getMetadata().getName(), Function.identity()));
  }

  @Test
  void anOutdatedMemberThatIsNotReadyIsReplacedFirstSoABrokenSpecCanBeFixed() {
    // demo-2 got a spec that broke it (still Running, never ready); the spec has been fixed since
    Pod broken = outdatedPod(current, 2, false);
    List<Pod> pods = List.of(outdatedPod(current, 0, true), outdatedPod(current, 1, true), broken);
    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims(current), Optional.of("demo-0"), FORMED);
    assertThat(plan.replace()).map(MemberRollout.Replacement::pod).contains(broken);
    assertThat(plan.replace().get().message()).contains("demo-2", "it is not ready");
  }

  @Test
  void aClaimWaitIsStillReportedWhileTheRollWaitsToo() {
    List<Pod> pods = List.of(outdatedPod(current, 0, true), outdatedPod(current, 2, true));
    List<PersistentVolumeClaim> claims = List.of(claim(current, 0), terminating(claim(current, 1)), claim(current, 2));
    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims, NO_LEADER, FORMED);
    assertThat(plan.replace()).isEmpty();
    assertThat(plan.waiting()).hasValueSatisfying(w -> assertThat(w).contains("volume claim", "the roll waits"));
  }

  @Test
  void aNotReadyOutdatedMemberWaitsWhenTheOthersWouldNotKeepAQuorumReady() {
    // demo-2 is gone (being recreated elsewhere would be caught too); demo-1 is outdated and blips NotReady
    List<Pod> pods = List.of(pod(current, 0, true), outdatedPod(current, 1, false), outdatedPod(current, 2, false));
    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims(current), NO_LEADER, FORMED);
    assertThat(plan.replace()).isEmpty();
    assertThat(plan.waiting()).hasValueSatisfying(w -> assertThat(w).contains("fewer than the quorum of 2"));
  }

  @Test
  void beforeTheClusterFormedANotReadyOutdatedMemberMayGoWhateverTheOthers() {
    List<Pod> pods = List.of(outdatedPod(current, 0, false), outdatedPod(current, 1, false), outdatedPod(current, 2, false));
    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims(current), NO_LEADER, false);
    assertThat(plan.replace()).hasValueSatisfying(r -> assertThat(r.evict()).isFalse());
  }

  @Test
  void readyMembersAreEvictedSoTheBudgetArbitrates() {
    List<Pod> pods = List.of(outdatedPod(current, 0, true), outdatedPod(current, 1, true), outdatedPod(current, 2, true));
    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims(current), Optional.of("demo-0"), FORMED);
    assertThat(plan.replace()).hasValueSatisfying(r -> assertThat(r.evict()).isTrue());
  }

  @Test
  void membersOfAFormedEphemeralClusterAreNeverRestartedForANewSpec() {
    cluster.getSpec().getStorage().setEphemeral(true);
    EtcdClusterModel ephemeral = TestClusters.model(cluster);
    EtcdCluster older = TestClusters.cluster("demo", 3);
    older.getSpec().getStorage().setEphemeral(true);
    older.getSpec().setVersion("3.5.35");
    EtcdClusterModel before = TestClusters.model(older);
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pods.add(pod(before, i, true));
    }
    MemberRollout.Plan plan = MemberRollout.plan(ephemeral, pods, List.of(), NO_LEADER, FORMED);
    assertThat(plan.replace()).isEmpty();
    assertThat(plan.waiting()).hasValueSatisfying(w -> assertThat(w).contains("ephemeral storage"));
  }

  @Test
  void aTerminatingClaimStopsTheRoll() {
    List<Pod> pods = List.of(outdatedPod(current, 0, true), outdatedPod(current, 1, true), outdatedPod(current, 2, true));
    List<PersistentVolumeClaim> claims = List.of(claim(current, 0), claim(current, 1), terminating(claim(current, 2)));
    MemberRollout.Plan plan = MemberRollout.plan(current, pods, claims, NO_LEADER, FORMED);
    assertThat(plan.replace()).isEmpty();
  }
}
