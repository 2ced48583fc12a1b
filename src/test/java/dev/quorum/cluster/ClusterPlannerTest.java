package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.cluster.ClusterPlanner.Course;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.membership.MembershipPlanner;
import dev.quorum.membership.UpgradeGuard;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.MemberBootstrapRecords;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterPlannerTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:10:00Z");
  private static final ClusterPlanner.Settings SETTINGS =
      new ClusterPlanner.Settings(Duration.ofMinutes(10), Duration.ofMinutes(5));

  private final EtcdCluster cluster = TestClusters.cluster("demo", 3);
  private final EtcdClusterModel model = TestClusters.model(cluster);
  private final MemberBootstrapRecords founding = TestClusters.foundingRecords(model);

  @Test
  void aClusterThatCouldNotBeReadIsNotDecidedOnEvenWithOtherProblems() {
    KubernetesClientException unread = new KubernetesClientException("the API server is away");
    ClusterPass pass = pass(model, founding, TestClusters.readyPods(model), List.of("spec.size: must be odd"),
        Optional.empty(), Optional.empty(), Optional.of(unread));

    assertThat(ClusterPlanner.decide(pass, SETTINGS)).isEqualTo(new Course.Unread(unread));
  }

  @Test
  void anInvalidSpecChangesNothingAndNamesEveryProblem() {
    ClusterPass pass = pass(model, founding, TestClusters.readyPods(model),
        List.of("spec.size: must be odd", "spec.version: unknown"), Optional.empty(), Optional.empty(),
        Optional.empty());

    assertThat(ClusterPlanner.decide(pass, SETTINGS))
        .isEqualTo(new Course.InvalidSpec("spec.size: must be odd; spec.version: unknown"));
  }

  @Test
  void anUnusableTlsSecretLeavesTheMembersAndKeepsOnlyTheCertificateUnlessPaused() {
    ClusterPass pass = pass(model, founding, TestClusters.readyPods(model), List.of(),
        Optional.of("the Secret demo-tls has no tls.key"), Optional.empty(), Optional.empty());
    assertThat(ClusterPlanner.decide(pass, SETTINGS))
        .isEqualTo(new Course.UnusableTlsSecret("the Secret demo-tls has no tls.key", true));

    cluster.getSpec().setPaused(true);
    assertThat(ClusterPlanner.decide(pass, SETTINGS))
        .isEqualTo(new Course.UnusableTlsSecret("the Secret demo-tls has no tls.key", false));
  }

  @Test
  void aClusterHeldByARestoreIsLeftToItEvenWhenPaused() {
    cluster.getSpec().setPaused(true);
    ClusterPass pass = pass(model, founding, TestClusters.readyPods(model), List.of(), Optional.empty(),
        Optional.of("restore-1"), Optional.empty());

    assertThat(ClusterPlanner.decide(pass, SETTINGS)).isEqualTo(new Course.HeldByRestore("restore-1", List.of()));
  }

  @Test
  void aPausedClusterIsOnlyReportedOn() {
    cluster.getSpec().setPaused(true);

    assertThat(ClusterPlanner.decide(healthy(), SETTINGS)).isEqualTo(new Course.Paused());
  }

  @Test
  void aHealthyClusterConvergesWithNothingToChange() {
    Course.Converge converge = (Course.Converge) ClusterPlanner.decide(healthy(), SETTINGS);

    assertThat(converge.membership().step()).isEmpty();
    assertThat(converge.createPods()).isEmpty();
    assertThat(converge.createClaims()).isEmpty();
    assertThat(converge.rollout().replace()).isEmpty();
    assertThat(converge.upgradeNote()).isEmpty();
  }

  @Test
  void aMemberWhosePodIsGoneGetsItBack() {
    List<Pod> pods = new ArrayList<>(TestClusters.readyPods(model));
    pods.remove(1);
    ClusterPass pass = pass(model, founding, pods, List.of(), Optional.empty(), Optional.empty(), Optional.empty());

    Course.Converge converge = (Course.Converge) ClusterPlanner.decide(pass, SETTINGS);

    assertThat(converge.createPods()).extracting(p -> p.getMetadata().getName()).containsExactly("demo-1");
  }

  @Test
  void theNewMembersOfAScaleUpGetNeitherPodNorClaimBeforeTheMembershipExpectsThem() {
    EtcdCluster five = TestClusters.cluster("demo", 5);
    EtcdClusterModel grown = TestClusters.model(five, founding);
    ClusterPass pass = pass(grown, founding, TestClusters.readyPods(model), List.of(), Optional.empty(),
        Optional.empty(), Optional.empty());

    Course.Converge converge = (Course.Converge) ClusterPlanner.decide(pass, SETTINGS);

    assertThat(converge.membership().step()).containsInstanceOf(MembershipPlanner.Step.AddLearner.class);
    assertThat(converge.rollout().createPods()).extracting(p -> p.getMetadata().getName())
        .contains("demo-3", "demo-4");
    assertThat(converge.createPods()).isEmpty();
    assertThat(converge.createClaims()).extracting(PersistentVolumeClaim::getMetadata)
        .noneMatch(m -> m.getName().endsWith("demo-3") || m.getName().endsWith("demo-4"));
  }

  @Test
  void aMemberRunningTheNewVersionStartsAnUpgradeNote() {
    List<Pod> pods = List.of(TestClusters.pod(model, 0, true), TestClusters.outdatedPod(model, 1, true),
        TestClusters.outdatedPod(model, 2, true));
    ClusterPass pass = pass(model, founding, pods, List.of(), Optional.empty(), Optional.empty(), Optional.empty());

    Course.Converge converge = (Course.Converge) ClusterPlanner.decide(pass, SETTINGS);

    assertThat(converge.upgradeNote()).contains(new UpgradeGuard.Note.Started(TestClusters.PREVIOUS_VERSION));
  }

  @Test
  void everyEphemeralMemberGoneAfterTheClusterWasAvailableFoundsNoNewEmptyCluster() {
    EtcdCluster ephemeral = TestClusters.cluster("demo", 3);
    ephemeral.getSpec().getStorage().setEphemeral(true);
    ephemeral.setStatus(availableStatus());
    EtcdClusterModel lost = TestClusters.model(ephemeral, founding);
    ClusterPass pass = new ClusterPass(ephemeral, founding, lost, List.of(), List.of(), List.of(), List.of(),
        List.of(), List.of(), List.of(), List.of(), Optional.empty(), true, Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
        Optional.empty(), NOW);

    Course.Converge converge = (Course.Converge) ClusterPlanner.decide(pass, SETTINGS);

    assertThat(converge.rollout().createPods()).hasSize(3);
    assertThat(converge.createPods()).as("started empty from their records, they would found a new cluster")
        .isEmpty();
    assertThat(converge.quorumLoss()).hasValueSatisfying(loss -> assertThat(loss.lostForGood()).isTrue());
  }

  @Test
  void aMajorityWhosePodsAreGoneButClaimsKeptGetsItsPodsBack() {
    EtcdCluster persistent = TestClusters.cluster("demo", 3);
    persistent.setStatus(availableStatus());
    ClusterPass pass = new ClusterPass(persistent, founding, TestClusters.model(persistent, founding),
        List.of(TestClusters.pod(model, 0, false)), List.of(), List.of(), TestClusters.claims(model), List.of(),
        List.of(), List.of(), List.of(), Optional.empty(), true, Optional.empty(), Optional.empty(), List.of(),
        Optional.empty(), Optional.empty(), NOW);

    Course.Converge converge = (Course.Converge) ClusterPlanner.decide(pass, SETTINGS);

    assertThat(converge.createPods()).extracting(p -> p.getMetadata().getName()).containsExactly("demo-1", "demo-2");
    assertThat(converge.quorumLoss()).hasValueSatisfying(loss -> assertThat(loss.lostForGood()).isFalse());
  }

  @Test
  void runningMembersGoBackAMinorOnlyOnceEtcdsDowngradeIsEnabledButAMemberThatIsDownIsReplacedAsEver() {
    EtcdCluster back = TestClusters.cluster("demo", 3);
    back.getSpec().setVersion("3.5.35");
    EtcdClusterModel older = TestClusters.model(back, founding);
    List<Pod> onNewer = TestClusters.readyPods(model); // built for 3.6.16: every one outdated under 3.5.35
    ClusterView newer = etcd(3, "3.6.0");

    Course.Converge converge = (Course.Converge) ClusterPlanner.decide(new ClusterPass(back, founding, older, onNewer,
        onNewer, List.of(), TestClusters.claims(older), List.of(), List.of(), List.of(), List.of(), Optional.of(newer),
        true, Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty(), NOW), SETTINGS);

    assertThat(converge.downgrade()).contains(new dev.quorum.membership.DowngradePlan.Step.Enable("3.5", "3.6"));
    assertThat(converge.rollout().replace()).as("no running member restarts before the downgrade").isEmpty();
    assertThat(converge.rollout().waiting()).hasValueSatisfying(w -> assertThat(w).contains("enabling etcd's"
        + " downgrade from 3.6 to 3.5"));

    List<Pod> oneDown = new ArrayList<>(onNewer);
    oneDown.set(1, TestClusters.pod(model, 1, false));
    Course.Converge down = (Course.Converge) ClusterPlanner.decide(new ClusterPass(back, founding, older, oneDown,
        oneDown, List.of(), TestClusters.claims(older), List.of(), List.of(), List.of(), List.of(), Optional.of(newer),
        true, Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty(), NOW), SETTINGS);
    assertThat(down.rollout().replace()).as("a member down already is not held")
        .hasValueSatisfying(r -> assertThat(r.pod().getMetadata().getName()).isEqualTo("demo-1"));
  }

  private static dev.quorum.api.v1alpha1.EtcdClusterStatus availableStatus() {
    dev.quorum.api.v1alpha1.EtcdClusterStatus status = new dev.quorum.api.v1alpha1.EtcdClusterStatus();
    status.setConditions(List.of(new io.fabric8.kubernetes.api.model.ConditionBuilder()
        .withType(dev.quorum.api.v1alpha1.ConditionTypes.AVAILABLE).withStatus("True")
        .withReason(Reasons.QUORUM_AVAILABLE).build()));
    return status;
  }

  private ClusterPass healthy() {
    return pass(model, founding, TestClusters.readyPods(model), List.of(), Optional.empty(), Optional.empty(),
        Optional.empty());
  }

  private static ClusterPass pass(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      List<String> problems, Optional<String> tlsProblem, Optional<String> restoredBy,
      Optional<KubernetesClientException> unread) {
    return new ClusterPass(model.resource(), records, model, pods, pods, List.of(), TestClusters.claims(model),
        List.of(), List.of(), List.of(), List.of(), Optional.of(etcd(records.count())), true, Optional.empty(),
        tlsProblem, problems, restoredBy, unread, NOW);
  }

  /** As {@link #etcd(int)}, every member keeping its data in the {@code storage} format. */
  private static ClusterView etcd(int members, String storage) {
    List<MemberView> views = new ArrayList<>();
    for (MemberView m : etcd(members).members()) {
      views.add(new MemberView(m.id(), m.name(), m.peerURLs(), m.clientURLs(), false, true, true, m.version(), null,
          100, 100, dev.quorum.etcd.DatabaseSize.UNKNOWN, storage, null));
    }
    return new ClusterView(0xcafe, 1, views);
  }

  /** Every member on record started, a voter, healthy; demo-0 leads. */
  private static ClusterView etcd(int members) {
    List<MemberView> views = new ArrayList<>();
    for (int ordinal = 0; ordinal < members; ordinal++) {
      String host = "demo-" + ordinal + ".demo.default.svc.cluster.local";
      views.add(new MemberView(ordinal + 1, "demo-" + ordinal, List.of("http://" + host + ":2380"),
          List.of("http://" + host + ":2379"), false, true, true, "3.6.16", null));
    }
    return new ClusterView(0xcafe, 1, views);
  }
}
