package dev.quorum.membership;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.model.Annotations;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpgradeGuardTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:10:00Z");
  private final EtcdCluster cluster = TestClusters.cluster("demo", 3);
  private final EtcdClusterModel model = TestClusters.model(cluster);

  /** demo-0 restarted on the new version at {@code created}, not ready, its image not found; the others outdated. */
  private List<Pod> firstMemberRestarted(String created, boolean ready) {
    List<Pod> pods = new ArrayList<>();
    pods.add(new PodBuilder(TestClusters.pod(model, 0, ready)).editMetadata().withCreationTimestamp(created)
        .endMetadata().editStatus().addNewContainerStatus().withName("etcd").withNewState().withNewWaiting()
        .withReason("ErrImagePull").withMessage("no such image").endWaiting().endState().endContainerStatus()
        .endStatus().build());
    pods.add(TestClusters.outdatedPod(model, 1, true));
    pods.add(TestClusters.outdatedPod(model, 2, true));
    return pods;
  }

  @Test
  void theUpgradeStartsFromTheVersionTheOtherMembersRun() {
    assertThat(UpgradeGuard.upgradingFrom(model, firstMemberRestarted("2026-01-01T00:09:00Z", false)))
        .contains(TestClusters.PREVIOUS_VERSION);
    assertThat(UpgradeGuard.upgradingFrom(model, TestClusters.readyPods(model))).isEmpty();
  }

  @Test
  void aMemberNotReadyOnTheNewVersionPastTheDeadlineFailsTheUpgradeSayingWhy() {
    assertThat(UpgradeGuard.failed(model, firstMemberRestarted("2026-01-01T00:09:00Z", false), Duration.ofMinutes(5),
        NOW)).as("within the deadline").isEmpty();
    assertThat(UpgradeGuard.failed(model, firstMemberRestarted("2026-01-01T00:04:00Z", true), Duration.ofMinutes(5),
        NOW)).as("ready").isEmpty();

    assertThat(UpgradeGuard.failed(model, firstMemberRestarted("2026-01-01T00:04:00Z", false), Duration.ofMinutes(5),
        NOW)).contains(new UpgradeGuard.Failure("demo-0", "ErrImagePull: no such image"));
  }

  @Test
  void theUpgradeIsCompleteOnceEveryMemberRunsTheVersionAndIsReady() {
    assertThat(UpgradeGuard.complete(model, TestClusters.readyPods(model))).isTrue();
    assertThat(UpgradeGuard.complete(model, firstMemberRestarted("2026-01-01T00:09:00Z", true))).isFalse();
  }

  @Test
  void aRolledBackUpgradeGivesTheMembersTheirPreviousVersionUntilTheSpecNamesAnother() {
    cluster.getMetadata().setAnnotations(Map.of(Annotations.UPGRADE_FROM, TestClusters.PREVIOUS_VERSION,
        Annotations.UPGRADE_ROLLED_BACK, EtcdClusterSpec.DEFAULT_VERSION + ": demo-0 did not become ready"));

    EtcdClusterModel rolledBack = TestClusters.model(cluster);
    assertThat(rolledBack.version()).isEqualTo(TestClusters.PREVIOUS_VERSION);
    assertThat(rolledBack.image()).endsWith(":v" + TestClusters.PREVIOUS_VERSION);
    assertThat(rolledBack.declaredVersion()).isEqualTo(EtcdClusterSpec.DEFAULT_VERSION);
    assertThat(rolledBack.rolledBackUpgrade()).contains("demo-0 did not become ready");

    cluster.getSpec().setVersion("3.6.17");
    EtcdClusterModel nextAttempt = TestClusters.model(cluster);
    assertThat(nextAttempt.version()).isEqualTo("3.6.17");
    assertThat(nextAttempt.rolledBackUpgrade()).isEmpty();
  }

  private static final Duration DEADLINE = Duration.ofMinutes(5);

  @Test
  void anUpgradeIsNotedWithTheVersionItStartsFromOnceAMemberRunsTheNewOne() {
    assertThat(UpgradeGuard.next(model, firstMemberRestarted("2026-01-01T00:09:00Z", false), Map.of(), DEADLINE, NOW))
        .contains(new UpgradeGuard.Note.Started(TestClusters.PREVIOUS_VERSION));
    assertThat(UpgradeGuard.next(model, TestClusters.readyPods(model), Map.of(), DEADLINE, NOW))
        .as("every member runs the version: no upgrade").isEmpty();
  }

  @Test
  void aNotedUpgradeWaitsWhileItsMembersAreWithinTheDeadline() {
    assertThat(UpgradeGuard.next(model, firstMemberRestarted("2026-01-01T00:09:00Z", false), upgradingFromPrevious(),
        DEADLINE, NOW)).isEmpty();
  }

  @Test
  void aNotedUpgradeCompletesOnceEveryMemberRunsTheVersionAndIsReady() {
    assertThat(UpgradeGuard.next(model, TestClusters.readyPods(model), upgradingFromPrevious(), DEADLINE, NOW))
        .contains(new UpgradeGuard.Note.Completed());
  }

  @Test
  void aNotedUpgradeRollsBackToWhereItStartedWhenAMemberMissesTheDeadline() {
    assertThat(UpgradeGuard.next(model, firstMemberRestarted("2026-01-01T00:04:00Z", false), upgradingFromPrevious(),
        DEADLINE, NOW)).contains(new UpgradeGuard.Note.RolledBack(TestClusters.PREVIOUS_VERSION,
            new UpgradeGuard.Failure("demo-0", "ErrImagePull: no such image")));
  }

  @Test
  void aRolledBackUpgradeStaysNotedUntilTheSpecNamesAnotherVersionThenItsNotesAreCleared() {
    Map<String, String> rolledBack = Map.of(Annotations.UPGRADE_FROM, TestClusters.PREVIOUS_VERSION,
        Annotations.UPGRADE_ROLLED_BACK, EtcdClusterSpec.DEFAULT_VERSION + ": demo-0 did not become ready");
    cluster.getMetadata().setAnnotations(rolledBack);
    List<Pod> previous = List.of(TestClusters.outdatedPod(model, 0, true), TestClusters.outdatedPod(model, 1, true),
        TestClusters.outdatedPod(model, 2, true));
    assertThat(UpgradeGuard.next(TestClusters.model(cluster), previous, rolledBack, DEADLINE, NOW)).isEmpty();

    cluster.getSpec().setVersion("3.6.17");
    assertThat(UpgradeGuard.next(TestClusters.model(cluster), previous, rolledBack, DEADLINE, NOW))
        .contains(new UpgradeGuard.Note.Cleared());
  }

  private static Map<String, String> upgradingFromPrevious() {
    return Map.of(Annotations.UPGRADE_FROM, TestClusters.PREVIOUS_VERSION);
  }
}
