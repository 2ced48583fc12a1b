package dev.quorum.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.EtcdRecoverySpec;
import dev.quorum.api.v1alpha1.MemberStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.RecoverySource;
import dev.quorum.rig.ChartOperator;
import dev.quorum.rig.Pods;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.Admission;
import dev.quorum.testing.ClientServiceWriter;
import dev.quorum.testing.MembershipClusters;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cluster loses its quorum on the rig's real nodes. Two of three members' claims and pods deleted: the loss is
 * reported at once (QuorumLost, for good, with the best survivor), nothing changes until a user asks, and an
 * EtcdRecovery from the survivor brings back three voters with every write etcd had acknowledged, the lost members
 * re-added empty. A majority whose pods are only deleted (claims kept) comes back by itself. A recovery asked while
 * quorum holds, or without confirmation, is refused and touches nothing.
 */
class QuorumLossIT {

  static final Map<String, String> OPERATOR_ENV = Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s");
  @RegisterExtension
  static final RigSession RIG = new RigSession().withOperator(OPERATOR_ENV);
  /** The bound: the loss is reported this soon after the members go. */
  static final Duration REPORTED_WITHIN = Duration.ofSeconds(30);
  static final Duration RECOVERED_WITHIN = Duration.ofMinutes(5);

  static KubernetesClient kube;
  static String ns;
  static ChartOperator operator;

  @BeforeAll
  static void operator() {
    kube = RIG.client();
    ns = RIG.namespace();
    RIG.installQuorumCrds();
    operator = RIG.operator();
  }

  @Test
  void twoOfThreeMembersDataLostIsReportedAndRecoveredFromTheSurvivorOnRequestWithEveryAcknowledgedWrite()
      throws Exception {
    String cluster = "lost";
    MembershipClusters.create(kube, ns, cluster, null);
    awaitVoters(cluster, 3);
    ClientServiceWriter writer = new ClientServiceWriter(kube, ns, cluster + "-client", Duration.ofMillis(50));
    List<Integer> acknowledged;
    try {
      await("writes acknowledged").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
          .until(() -> writer.acknowledgedCount() > ClientServiceWriter.ENOUGH_WRITES);
      acknowledged = writer.stop().acknowledged();
      // every member has every acknowledged write: whichever survives holds them all
      await("every member caught up").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
          .until(() -> members(cluster).stream().allMatch(m -> m.isReady() && Objects.equals(m.getRevisionLag(), 0L)));

      // the leader and one other lose their data: the survivor is a follower
      String leader = cluster(cluster).getStatus().getLeader();
      List<String> lost = List.of(leader, members(cluster).stream().map(MemberStatus::getName)
          .filter(n -> !n.equals(leader)).sorted().findFirst().orElseThrow());
      String survivor = members(cluster).stream().map(MemberStatus::getName).filter(n -> !lost.contains(n))
          .findFirst().orElseThrow();
      Map<String, String> oldClaims = lost.stream().collect(Collectors.toMap(m -> m,
          m -> kube.persistentVolumeClaims().inNamespace(ns).withName("data-" + m).get().getMetadata().getUid()));
      Map<String, String> oldIds = lost.stream().collect(Collectors.toMap(m -> m, m -> memberId(cluster, m)));
      Instant lossAt = Instant.now();
      for (String member : lost) {
        kube.persistentVolumeClaims().inNamespace(ns).withName("data-" + member).delete();
        kube.pods().inNamespace(ns).withName(member).withGracePeriod(0).delete();
      }

      Condition degraded = await("QuorumLost reported, for good").atMost(REPORTED_WITHIN)
          .pollInterval(Duration.ofMillis(500)).until(() -> {
            operator.assertAlive();
            EtcdCluster current = cluster(cluster);
            return current.getStatus().condition("Available").filter(c -> "QuorumLost".equals(c.getReason()))
                .flatMap(c -> current.getStatus().condition("Degraded"))
                .filter(c -> c.getMessage().contains("quorum cannot come back by itself")).orElse(null);
          }, Objects::nonNull);
      System.out.printf("quorum loss reported %d ms after the members went: %s%n",
          Duration.between(lossAt, Instant.now()).toMillis(), degraded.getMessage());
      assertThat(degraded.getMessage()).contains("recover from the best survivor " + survivor,
          "data gone: " + String.join(", ", lost.stream().sorted().toList()));
      assertThat(MembershipClusters.reasons(kube, ns, cluster)).contains("QuorumLost");
      assertNothingRecreated(lost);

      kube.resource(recovery("recover-lost", cluster, cluster)).create();
      EtcdRecovery done = await("the recovery succeeded").atMost(RECOVERED_WITHIN).pollInterval(Duration.ofSeconds(1))
          .until(() -> {
            operator.assertAlive();
            return kube.resources(EtcdRecovery.class).inNamespace(ns).withName("recover-lost").get();
          }, r -> r.getStatus() != null && r.getStatus().getPhase() != null && r.getStatus().getPhase().finished());
      assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(OperationPhase.Succeeded);
      assertThat(done.getStatus().getSurvivor()).isEqualTo(survivor);
      assertThat(done.getStatus().getSetAsideClaims()).isEmpty(); // both claims were deleted with the data
      awaitVoters(cluster, 3);
      System.out.printf("recovered %d ms after the request: %s%n", Duration.between(
          Instant.parse(done.getStatus().getStartTime()), Instant.parse(done.getStatus().getCompletionTime()))
          .toMillis(), done.getStatus().getMessage());

      assertThat(writer.missing(acknowledged)).as("acknowledged writes lost").isEmpty();
      for (String member : lost) {
        assertThat(memberId(cluster, member)).as(member + " came back as a new member").isNotEqualTo(oldIds.get(member));
        assertThat(kube.persistentVolumeClaims().inNamespace(ns).withName("data-" + member).get().getMetadata()
            .getUid()).as(member + "'s claim is a new one").isNotEqualTo(oldClaims.get(member));
      }
      assertThat(MembershipClusters.reasons(kube, ns, cluster)).contains("RecoveryStarted",
          "RecoveryForcingNewCluster", "RecoverySurvivorAlone", "RecoveryHandedOver", "Recovered");
    } finally {
      writer.close();
      kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).delete();
    }
  }

  @Test
  void aMajorityOnlyRestartingComesBackByItselfAndARecoveryAskedWhileQuorumHoldsIsRefused() {
    String cluster = "restarting";
    MembershipClusters.create(kube, ns, cluster, null);
    awaitVoters(cluster, 3);
    Map<String, String> ids = members(cluster).stream()
        .collect(Collectors.toMap(MemberStatus::getName, MemberStatus::getId));
    List<String> restarting = ids.keySet().stream().sorted().limit(2).toList();
    restarting.forEach(member -> kube.pods().inNamespace(ns).withName(member).withGracePeriod(0).delete());

    awaitVoters(cluster, 3);
    assertThat(members(cluster).stream().collect(Collectors.toMap(MemberStatus::getName, MemberStatus::getId)))
        .as("the same members, none replaced").isEqualTo(ids);
    assertThat(MembershipClusters.reasons(kube, ns, cluster)).doesNotContain("RecoveryStarted", "MemberRemoved");

    Admission.assertRejected(() -> kube.resource(recovery("unconfirmed", cluster, "another")).create(),
        EtcdRecoverySpec.CONFIRM_MESSAGE);
    kube.resource(recovery("needless", cluster, cluster)).create();
    EtcdRecovery refused = await("the needless recovery refused").atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> kube.resources(EtcdRecovery.class).inNamespace(ns).withName("needless").get(),
            r -> r.getStatus() != null && r.getStatus().getPhase() == OperationPhase.Failed);
    assertThat(refused.getStatus().getReason()).isEqualTo(RecoveryPlanner.QUORUM_HOLDS);
    assertThat(refused.getStatus().getMessage()).contains("has its quorum");
    assertThat(members(cluster).stream().collect(Collectors.toMap(MemberStatus::getName, MemberStatus::getId)))
        .as("nothing touched").isEqualTo(ids);
    kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).delete();
  }

  /** The lost members get neither pod nor claim while nobody asks: started empty they could only wait. */
  private static void assertNothingRecreated(List<String> lost) {
    for (String member : lost) {
      Pod pod = kube.pods().inNamespace(ns).withName(member).get();
      PersistentVolumeClaim claim = kube.persistentVolumeClaims().inNamespace(ns).withName("data-" + member).get();
      assertThat(Optional.ofNullable(pod).filter(p -> p.getMetadata().getDeletionTimestamp() == null))
          .as(member + "'s pod").isEmpty();
      assertThat(Optional.ofNullable(claim).filter(c -> c.getMetadata().getDeletionTimestamp() == null))
          .as(member + "'s claim").isEmpty();
    }
  }

  private static EtcdRecovery recovery(String name, String cluster, String confirm) {
    EtcdRecovery recovery = new EtcdRecovery();
    recovery.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    recovery.getSpec().setClusterName(cluster);
    recovery.getSpec().setConfirmClusterName(confirm);
    recovery.getSpec().setFrom(RecoverySource.Survivor);
    return recovery;
  }

  private static EtcdCluster cluster(String name) {
    return kube.resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
  }

  private static List<MemberStatus> members(String cluster) {
    EtcdCluster current = cluster(cluster);
    return current == null || current.getStatus() == null || current.getStatus().getMembers() == null ? List.of()
        : current.getStatus().getMembers();
  }

  private static String memberId(String cluster, String member) {
    return members(cluster).stream().filter(m -> member.equals(m.getName()) && m.getId() != null)
        .map(MemberStatus::getId).findFirst().orElse("");
  }

  private static void awaitVoters(String cluster, int count) {
    await(cluster + " with " + count + " ready voters").atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1)).until(() -> {
          operator.assertAlive();
          List<Pod> pods = kube.pods().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", cluster).list().getItems();
          return members(cluster).stream().filter(m -> m.getId() != null && !Boolean.TRUE.equals(m.getLearner())
              && m.isReady()).count() == count && pods.stream().filter(Pods::isReady).count() == count;
        });
  }
}
