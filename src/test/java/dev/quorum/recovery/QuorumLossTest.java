package dev.quorum.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.recovery.QuorumLoss.Assessment;
import dev.quorum.recovery.QuorumLoss.Standing;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QuorumLossTest {

  /**
   * Every way each member of a 3- and a 5-member cluster can stand, built as the operator would see it (pods, claims,
   * and etcd's answers), is read back as that standing; the loss and whether it is for good follow the majority rule.
   */
  @Test
  void everyCombinationOfMembersLostIsJudgedByTheMajorityOfVotersThatCouldServeAgain() {
    int judged = 0;
    for (int size : new int[] {3, 5}) {
      Standing[] values = Standing.values();
      int combinations = (int) Math.pow(values.length, size);
      for (int combination = 0; combination < combinations; combination++) {
        Standing[] standings = new Standing[size];
        for (int i = 0, rest = combination; i < size; i++, rest /= values.length) {
          standings[i] = values[rest % values.length];
        }
        World world = new World(size, standings);
        Optional<Assessment> assessment = world.assess(true);

        assertThat(assessment).as(world.toString()).isPresent();
        List<Standing> seen = assessment.get().voters().stream().map(QuorumLoss.Voter::standing).toList();
        assertThat(seen).as(world.toString()).containsExactly(world.expectedStandings());
        long serving = seen.stream().filter(s -> s == Standing.SERVING).count();
        long gone = seen.stream().filter(s -> s == Standing.DATA_GONE).count();
        int quorum = size / 2 + 1;
        assertThat(assessment.get().lost()).as(world.toString()).isEqualTo(serving < quorum);
        assertThat(assessment.get().lostForGood()).as(world.toString())
            .isEqualTo(serving < quorum && size - gone < quorum);
        judged++;
      }
    }
    assertThat(judged).isEqualTo(64 + 1024);
  }

  @Test
  void theBestSurvivorIsTheAnsweringMemberWithTheHighestRaftIndexWhoeverItIs() {
    for (int best = 0; best < 5; best++) {
      World world = new World(5, Standing.DATA_GONE, Standing.DATA_GONE, Standing.DATA_GONE, Standing.DATA_GONE,
          Standing.DATA_GONE);
      world.standings[best] = Standing.HOLDS_DATA;
      world.standings[(best + 3) % 5] = Standing.HOLDS_DATA;
      world.raftIndex[best] = 900;
      world.raftIndex[(best + 3) % 5] = 950 - 100 * (best % 2); // higher, or lower, whatever the order by name
      int expected = best % 2 == 0 ? (best + 3) % 5 : best;

      Assessment assessment = world.assess(true).orElseThrow();

      assertThat(assessment.lostForGood()).isTrue();
      assertThat(assessment.bestSurvivor()).map(QuorumLoss.Voter::name).contains("demo-" + expected);
    }
  }

  @Test
  void aMemberThatDoesNotAnswerIsNeverTheSurvivorAndNoneIsWhenNoneAnswers() {
    World world = new World(3, Standing.MAY_RETURN, Standing.DATA_GONE, Standing.DATA_GONE);

    Assessment assessment = world.assess(true).orElseThrow();

    assertThat(assessment.lostForGood()).isTrue();
    assertThat(assessment.bestSurvivor()).isEmpty();
    assertThat(assessment.describe()).contains("0 of 3 voters serve", "data gone: demo-1, demo-2")
        .doesNotContain("holding data");
  }

  @Test
  void aLossForGoodNamesBothWaysBackWithTheNewestBackupWhenThereIsOne() {
    World world = new World(3, Standing.HOLDS_DATA, Standing.DATA_GONE, Standing.DATA_GONE);
    world.raftIndex[0] = 800;
    Assessment assessment = world.assess(true).orElseThrow();

    assertThat(assessment.summary()).contains("best survivor demo-0 (raft index 800",
        "none of the cluster's has Succeeded");
    assertThat(assessment.withNewestBackup(Optional.of("EtcdBackup nightly (revision 390)")).summary())
        .contains("best survivor demo-0", "or from EtcdBackup nightly (revision 390)");
    assertThat(new World(3, Standing.DATA_GONE, Standing.DATA_GONE, Standing.DATA_GONE).assess(true).orElseThrow()
        .withNewestBackup(Optional.of("EtcdBackup nightly (revision 390)")).summary())
        .contains("no member answers with data, recover from EtcdBackup nightly");
  }

  @Test
  void aClusterStillBeingCreatedHasLostNothing() {
    World world = new World(3, Standing.DATA_GONE, Standing.DATA_GONE, Standing.DATA_GONE);

    assertThat(world.assess(false)).isEmpty();
  }

  @Test
  void everyEphemeralPodGoneIsEveryMembersDataGoneEvenWithoutAnAnswer() {
    EtcdCluster cluster = TestClusters.cluster("demo", 3);
    cluster.getSpec().getStorage().setEphemeral(true);
    EtcdClusterModel model = TestClusters.model(cluster);
    MemberBootstrapRecords records = TestClusters.foundingRecords(model);

    Assessment assessment = QuorumLoss.assess(TestClusters.model(cluster, records), records, List.of(), List.of(),
        Optional.empty(), true).orElseThrow();

    assertThat(assessment.named(Standing.DATA_GONE)).containsExactly("demo-0", "demo-1", "demo-2");
    assertThat(assessment.lostForGood()).isTrue();
  }

  @Test
  void aMajorityOnlyRestartingWithItsClaimsIsALossThatIsWaitedOut() {
    World world = new World(3, Standing.MAY_RETURN, Standing.MAY_RETURN, Standing.HOLDS_DATA);

    Assessment assessment = world.assess(true).orElseThrow();

    assertThat(assessment.lost()).isTrue();
    assertThat(assessment.lostForGood()).isFalse();
    // the operator cannot see whether their data is really kept (a node that does not answer): the ways back are named
    assertThat(assessment.summary()).contains("waiting for the members whose data is kept to come back; if they"
        + " cannot, recover from the best survivor demo-2");
  }

  /** Pods, claims and etcd's answers of a persistent cluster whose members stand as given. */
  private static final class World {
    final Standing[] standings;
    final long[] raftIndex;
    final EtcdClusterModel model;
    final MemberBootstrapRecords records;

    World(int size, Standing... standings) {
      this.standings = standings.clone();
      this.raftIndex = new long[size];
      for (int i = 0; i < size; i++) {
        raftIndex[i] = 100 + i;
      }
      EtcdCluster cluster = TestClusters.cluster("demo", size);
      this.records = TestClusters.foundingRecords(TestClusters.model(cluster));
      this.model = TestClusters.model(cluster, records);
    }

    Optional<Assessment> assess(boolean formed) {
      List<Pod> pods = new ArrayList<>();
      List<PersistentVolumeClaim> claims = new ArrayList<>();
      List<MemberView> members = new ArrayList<>();
      boolean anyAnswers = false;
      for (int i = 0; i < standings.length; i++) {
        Standing standing = standings[i];
        boolean answers = standing == Standing.SERVING || standing == Standing.HOLDS_DATA;
        anyAnswers |= answers;
        if (answers) {
          pods.add(TestClusters.pod(model, i, standing == Standing.SERVING));
        }
        if (standing != Standing.DATA_GONE) {
          claims.add(TestClusters.claim(model, i));
        }
        var member = model.members().get(i);
        members.add(new MemberView(i + 1, member.name(), List.of(member.peerUrl()), List.of(member.clientUrl()),
            false, answers, standing == Standing.SERVING, answers ? "3.6.16" : null,
            answers ? null : "connection refused", answers ? 40 + i : 0, answers ? raftIndex[i] : 0));
      }
      Optional<ClusterView> etcd = anyAnswers ? Optional.of(new ClusterView(0xcafe, 0, members)) : Optional.empty();
      return QuorumLoss.assess(model, records, pods, claims, etcd, formed);
    }

    /** What is read back: without any answer, a member that would hold data can only be seen as keeping it. */
    Standing[] expectedStandings() {
      boolean anyAnswers = java.util.Arrays.stream(standings)
          .anyMatch(s -> s == Standing.SERVING || s == Standing.HOLDS_DATA);
      return anyAnswers ? standings : java.util.Arrays.stream(standings)
          .map(s -> s == Standing.DATA_GONE ? s : Standing.MAY_RETURN).toArray(Standing[]::new);
    }

    @Override
    public String toString() {
      return java.util.Arrays.toString(standings);
    }
  }
}
