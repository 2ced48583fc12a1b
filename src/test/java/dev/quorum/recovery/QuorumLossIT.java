package dev.quorum.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.BackupRetention;
import dev.quorum.api.v1alpha1.ClusterBackupSchedule;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupSchedule;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.EtcdRecoverySpec;
import dev.quorum.api.v1alpha1.MemberStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.QuorumLossPolicy;
import dev.quorum.api.v1alpha1.RecoverySource;
import dev.quorum.rig.ChartOperator;
import dev.quorum.rig.Net;
import dev.quorum.rig.Pods;
import dev.quorum.rig.RigSession;
import dev.quorum.rig.S3Server;
import dev.quorum.testing.Admission;
import dev.quorum.testing.ClientServiceWriter;
import dev.quorum.testing.Clusters;
import dev.quorum.testing.MembershipClusters;
import dev.quorum.testing.TestBackups;
import dev.quorum.testing.TestEtcd;
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
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cluster loses its quorum on the rig's real nodes. Two of three members' claims and pods deleted: the loss is
 * reported at once (QuorumLost, for good, with the best survivor), nothing changes until a user asks, and an
 * EtcdRecovery from the survivor brings back three voters with every write etcd had acknowledged, the lost members
 * re-added empty. A majority whose pods are only deleted (claims kept) comes back by itself. A recovery asked while
 * quorum holds, or without confirmation, is refused and touches nothing. Every member's data gone, the automatic
 * policy restores the newest backup that verifies.
 */
class QuorumLossIT {

  // schedules on a clock 20 times as fast: a once-a-minute schedule backs up every 3 s
  static final Map<String, String> OPERATOR_ENV = Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s",
      "QUORUM_BACKUP_CLOCK_RATE", "20");
  @RegisterExtension
  static final RigSession RIG = new RigSession().withOperator(OPERATOR_ENV);
  /** The bound: the loss is reported this soon after the members go. */
  static final Duration REPORTED_WITHIN = Duration.ofSeconds(30);
  static final Duration RECOVERED_WITHIN = Duration.ofMinutes(5);
  /** A short deadline for the automatic policy, so the test does not wait the default five minutes. */
  static final String POLICY_AFTER = "10s";

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
      loseAtOnce(cluster, lost);

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
      assertThat(done.getStatus().getMembers()).as("re-added").containsExactlyInAnyOrderElementsOf(lost);
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

  /**
   * Every member's data gone (an ephemeral cluster, every pod deleted), backed up by its own schedule, the newest
   * backup's object corrupted. Bad requests are refused with nothing touched (from the survivor: there is none; a
   * backup that does not exist; the corrupt one named). Then the automatic policy restores the backup before it in
   * place, passing over the newest and saying why; the data is that backup's.
   */
  @Test
  void everyMembersDataLostIsRestoredByPolicyFromTheNewestBackupThatVerifiesPassingOverACorruptOne() throws Exception {
    String cluster = "all-lost";
    S3Server s3 = RIG.rig().s3();
    String bucket = s3.createBucket(cluster + "-" + System.nanoTime());
    TestBackups.createCredentials(kube, ns, "s3", s3);
    EtcdCluster resource = new EtcdCluster();
    resource.setMetadata(new ObjectMetaBuilder().withName(cluster).withNamespace(ns).build());
    resource.getSpec().getStorage().setEphemeral(true);
    // backed up by its own schedule: once a minute, every 3 s on the operator's sped-up schedule clock
    ClusterBackupSchedule schedule = new ClusterBackupSchedule();
    schedule.setSchedule("* * * * *");
    BackupRetention retention = new BackupRetention();
    retention.setKeepLast(5);
    schedule.setRetention(retention);
    schedule.setDestination(TestBackups.destination(s3, bucket, "s3"));
    resource.getSpec().setBackup(schedule);
    kube.resource(resource).create();
    try {
      awaitVoters(cluster, 3);
      String member = members(cluster).get(0).getName();
      long olderWritten;
      try (TestEtcd etcd = TestEtcd.at(kube, ns, member)) {
        etcd.putKeys("/older/", 100);
        olderWritten = etcd.revision();
      }
      awaitScheduledBackup(cluster, olderWritten);
      long newerWritten;
      try (TestEtcd etcd = TestEtcd.at(kube, ns, member)) {
        etcd.putKeys("/newer/", 100);
        newerWritten = etcd.revision();
      }
      awaitScheduledBackup(cluster, newerWritten);
      MembershipClusters.edit(kube, ns, cluster, spec -> spec.getBackup().setSuspend(true));
      await("the schedule suspended, its last backup finished").atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(500)).until(() -> {
            EtcdBackupSchedule owned = kube.resources(EtcdBackupSchedule.class).inNamespace(ns)
                .withName(cluster + "-backup").get();
            return owned.getStatus() != null && "Suspended".equals(owned.getStatus().getReason())
                && backups(cluster).stream().allMatch(b -> b.getStatus() != null && b.getStatus().getPhase() != null
                    && b.getStatus().getPhase().finished());
          });
      // the newest (as a recovery picks it) is corrupted: the one before it is what comes back
      List<EtcdBackup> newestFirst = BackupRecovery.candidates(cluster, backups(cluster), Set.of());
      assertThat(newestFirst).as("the schedule's backups").hasSizeGreaterThanOrEqualTo(2);
      EtcdBackup corrupted = newestFirst.get(0);
      EtcdBackup restored = newestFirst.get(1);
      TestBackups.corrupt(s3, bucket, corrupted);

      Instant lossAt = Instant.now();
      loseAtOnce(cluster, members(cluster).stream().map(MemberStatus::getName).toList());
      await("QuorumLost, for good").atMost(REPORTED_WITHIN).pollInterval(Duration.ofMillis(500))
          .until(() -> cluster(cluster).getStatus().condition("Degraded")
              .filter(c -> c.getMessage().contains("no member answers with data, recover from EtcdBackup "
                  + corrupted.getMetadata().getName()))
              .isPresent());

      // bad requests before the policy's deadline: each refused with its reason, nothing touched
      String recordsVersion = kube.configMaps().inNamespace(ns).withName(cluster + "-members").get().getMetadata()
          .getResourceVersion();
      assertRefused(cluster, "from-no-survivor", RecoverySource.Survivor, null, RecoveryPlanner.EPHEMERAL_MEMBERS,
          "ephemeral");
      assertRefused(cluster, "from-missing-backup", RecoverySource.Backup, "missing", "BackupNotFound",
          "EtcdBackup missing does not exist");
      assertRefused(cluster, "from-corrupt-backup", RecoverySource.Backup, corrupted.getMetadata().getName(),
          BackupRecovery.RESTORE_FAILED, "ChecksumMismatch", "no member was stopped");
      assertThat(kube.configMaps().inNamespace(ns).withName(cluster + "-members").get().getMetadata()
          .getResourceVersion()).as("the members' records untouched").isEqualTo(recordsVersion);
      assertThat(kube.pods().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", cluster).list().getItems())
          .as("no member started").isEmpty();

      // the policy switched on once the bad requests are refused (with it on from the start they would race it)
      Instant policyOn = Instant.now();
      MembershipClusters.edit(kube, ns, cluster, spec -> {
        QuorumLossPolicy policy = new QuorumLossPolicy();
        policy.setRecovery(QuorumLossPolicy.Recovery.Automatic);
        policy.setFrom(RecoverySource.Backup);
        policy.setAfter(POLICY_AFTER);
        spec.setQuorumLoss(policy);
      });

      EtcdRecovery done = await("an automatic recovery finished").atMost(RECOVERED_WITHIN)
          .pollInterval(Duration.ofSeconds(1)).until(() -> {
            operator.assertAlive();
            return kube.resources(EtcdRecovery.class).inNamespace(ns).list().getItems().stream()
                .filter(r -> cluster.equals(r.getSpec().getClusterName()) && !r.inProgress()
                    && r.getMetadata().getName().startsWith(cluster + "-auto-")).findFirst()
                .orElse(null);
          }, Objects::nonNull);
      assertThat(done.getMetadata().getName()).startsWith(cluster + "-auto-");
      assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(OperationPhase.Succeeded);
      assertThat(done.getStatus().getBackup()).isEqualTo(restored.getMetadata().getName());
      assertThat(done.getStatus().getSkippedBackups()).singleElement().asString()
          .startsWith(corrupted.getMetadata().getName() + ": ChecksumMismatch");
      assertThat(done.getStatus().getMessage()).contains("EtcdBackup " + restored.getMetadata().getName(),
          "passing over the newer EtcdBackup " + corrupted.getMetadata().getName());
      awaitVoters(cluster, 3);
      System.out.printf("every member lost: Available again %d ms after the loss, %d ms after the policy (after %s) was"
          + " switched on: %s%n", Duration.between(lossAt, Instant.now()).toMillis(),
          Duration.between(policyOn, Instant.now()).toMillis(), POLICY_AFTER, done.getStatus().getMessage());

      try (TestEtcd etcd = TestEtcd.at(kube, ns, members(cluster).get(0).getName())) {
        assertThat(etcd.read("/older/")).isEqualTo(TestEtcd.expected("/older/", 100));
        // the backup restored holds the newer keys only if it was taken after they were written
        assertThat(etcd.read("/newer/")).as("the newer keys, in a backup at revision %d",
            restored.getStatus().getRevision()).isEqualTo(restored.getStatus().getRevision() >= newerWritten
                ? TestEtcd.expected("/newer/", 100) : Map.of());
      }
      assertThat(MembershipClusters.reasons(kube, ns, cluster)).contains("QuorumLost", "RecoveryRequested",
          "RecoveryStarted", "RecoveryBackupPassedOver", "Recovered");
    } finally {
      kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).delete();
    }
  }

  /** The cluster's EtcdBackups, its schedule's among them. */
  private static List<EtcdBackup> backups(String cluster) {
    return kube.resources(EtcdBackup.class).inNamespace(ns).list().getItems().stream()
        .filter(b -> cluster.equals(b.getSpec().getClusterName())).toList();
  }

  /** Until the schedule has backed the cluster up at {@code revision} or later. */
  private static void awaitScheduledBackup(String cluster, long revision) {
    await("a scheduled backup at revision " + revision).atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500)).until(() -> {
          operator.assertAlive();
          return backups(cluster).stream().anyMatch(b -> b.getStatus() != null
              && b.getStatus().getPhase() == OperationPhase.Succeeded && b.getStatus().getRevision() != null
              && b.getStatus().getRevision() >= revision);
        });
  }

  private static void assertRefused(String cluster, String name, RecoverySource from, String backupName,
      String reason, String... message) {
    EtcdRecovery recovery = recovery(name, cluster, cluster);
    recovery.getSpec().setFrom(from);
    recovery.getSpec().setBackupName(backupName);
    kube.resource(recovery).create();
    EtcdRecovery refused = await(name + " refused").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
        .until(() -> kube.resources(EtcdRecovery.class).inNamespace(ns).withName(name).get(),
            r -> r.getStatus() != null && r.getStatus().getPhase() != null && r.getStatus().getPhase().finished());
    assertThat(refused.getStatus().getPhase()).isEqualTo(OperationPhase.Failed);
    assertThat(refused.getStatus().getReason()).isEqualTo(reason);
    assertThat(refused.getStatus().getMessage()).contains(message);
  }

  /**
   * Both members' claims and pods deleted as one loss (as a shared disk or rack would lose them). The cluster is paused
   * meanwhile, until every lost member's etcd has stopped (a real kubelet stops a deleted pod's containers some time
   * after its object is gone): otherwise the operator may replace the first member while the others still hold a
   * quorum, a correct answer to a different fault.
   */
  static void loseAtOnce(String cluster, List<String> lost) {
    MembershipClusters.edit(kube, ns, cluster, spec -> spec.setPaused(true));
    Map<String, String> addresses = lost.stream()
        .collect(Collectors.toMap(member -> member, member -> Pods.ip(kube, ns, member)));
    for (String member : lost) {
      kube.persistentVolumeClaims().inNamespace(ns).withName("data-" + member).delete();
      kube.pods().inNamespace(ns).withName(member).withGracePeriod(0).delete();
    }
    await("the lost members' etcd stopped").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
        .until(() -> addresses.values().stream().noneMatch(ip -> Net.isListening(ip, 2379)));
    MembershipClusters.edit(kube, ns, cluster, spec -> spec.setPaused(false));
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
    return Clusters.members(kube, ns, cluster);
  }


  private static String memberId(String cluster, String member) {
    return members(cluster).stream().filter(m -> member.equals(m.getName()) && m.getId() != null)
        .map(MemberStatus::getId).findFirst().orElse("");
  }

  private static void awaitVoters(String cluster, int count) {
    Clusters.awaitReadyVoters(kube, ns, cluster, count, operator);
  }

}
