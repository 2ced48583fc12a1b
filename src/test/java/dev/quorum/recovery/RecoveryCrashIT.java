package dev.quorum.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.MemberStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.RecoverySource;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.RigSession;
import dev.quorum.rig.S3Server;
import dev.quorum.specs.EtcdArgs;
import dev.quorum.testing.Clusters;
import dev.quorum.testing.MembershipClusters;
import dev.quorum.testing.TestBackups;
import dev.quorum.testing.TestEtcd;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Recoveries cut short. From the survivor, asked while two members are broken (their pods and claims still there), with
 * the operator killed right after each of its steps (a failpoint halts it as a kill would): each new operator recognises how far the recovery got from the records, the pods and etcd's member list and
 * takes the next step, and at no halt do two one-member clusters exist or an old member run beside the forced survivor.
 * The operator runs on this machine here, not as the chart's pod: the test is about its process dying.
 */
class RecoveryCrashIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static final Map<String, String> OPERATOR_ENV = Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s");
  /** Every step of a recovery from the survivor that announces itself. */
  static final List<String> STEPS = List.of("RecoveryStarted", "RecoveryStoppedMembers", "RecoveryForcingNewCluster",
      "RecoverySurvivorAlone", "RecoveryClaimsSetAside", "RecoveryHandedOver");
  static final Pattern HALTED = Pattern.compile("halting as if killed, after (\\w+)");
  static final int KEYS = 300;

  static KubernetesClient kube;
  static String ns;
  static OperatorProcess operator;

  @BeforeAll
  static void crds() {
    kube = RIG.client();
    ns = RIG.namespace();
    RIG.installQuorumCrds();
  }

  /** Each test starts its own operators: none may outlive it (a second one would take the next test's steps). */
  @AfterEach
  void stopOperator() {
    if (operator != null) {
      operator.close();
      operator = null;
    }
  }

  @Test
  void aRecoveryFromTheSurvivorCutShortAfterEachStepIsFinishedByTheNextOperator() throws Exception {
    String cluster = "crash";
    operator = RIG.startOperatorProcess("recovery-crash", OPERATOR_ENV);
    MembershipClusters.create(kube, ns, cluster, null);
    awaitVoters(cluster, 3);
    try (TestEtcd etcd = TestEtcd.at(kube, ns, cluster + "-0")) {
      etcd.putKeys("/kept/", KEYS);
    }
    await("every member caught up").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
        .until(() -> members(cluster).stream().allMatch(m -> m.isReady() && Objects.equals(m.getRevisionLag(), 0L)));
    // member 0 and the leader (or member 1, when member 0 leads) break: their pods and claims stay, their etcd does not
    // start again (a broken disk), so the recovery has their pods to stop and their claims to set aside
    String leader = cluster(cluster).getStatus().getLeader();
    List<String> broken = new ArrayList<>(List.of(cluster + "-0"));
    broken.add(leader.equals(cluster + "-0") ? cluster + "-1" : leader);
    broken.forEach(member -> RIG.rig().faults().breakContainer(ns, member, "etcd", Duration.ofMinutes(30)));
    await("QuorumLost").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> cluster(cluster).getStatus().condition("Available")
            .filter(c -> "QuorumLost".equals(c.getReason())).isPresent());

    operator.close();
    Map<String, String> halting = new LinkedHashMap<>(OPERATOR_ENV);
    halting.put("QUORUM_RECOVERY_HALT_AFTER_STEP", String.join(",", STEPS));
    EtcdRecovery recovery = new EtcdRecovery();
    recovery.setMetadata(new ObjectMetaBuilder().withName("recover-crash").withNamespace(ns).build());
    recovery.getSpec().setClusterName(cluster);
    recovery.getSpec().setConfirmClusterName(cluster);
    recovery.getSpec().setFrom(RecoverySource.Survivor);
    kube.resource(recovery).create();

    assertThat(haltAfterEachStep("recover-crash", halting, STEPS.size(), step -> assertOneClusterAtATime(cluster, step)))
        .as("halted after each step, in order").containsExactlyElementsOf(STEPS);

    EtcdRecovery done = awaitFinished("recover-crash");
    assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(OperationPhase.Succeeded);
    awaitVoters(cluster, 3);
    String members = RIG.etcdctl("--endpoints=http://" + cluster + "-client." + ns + ".svc.cluster.local:2379",
        "member", "list").output();
    assertThat(members.lines().filter(l -> !l.isBlank())).as("exactly three members, none twice: " + members)
        .hasSize(3);
    try (TestEtcd etcd = TestEtcd.at(kube, ns, done.getStatus().getSurvivor())) {
      assertThat(etcd.read("/kept/")).isEqualTo(TestEtcd.expected("/kept/", KEYS));
    }
    kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).delete();
  }

  /**
   * A recovery from a backup, the newest one's object corrupt, with the operator killed right after each of its steps:
   * the next operator goes on from the recovery's status and the restores it owns. At no halt do two of its restores
   * run at once, none is made twice, and the cluster comes back with the older backup's data.
   */
  @Test
  void aRecoveryFromABackupCutShortAfterEachStepIsFinishedByTheNextOperator() throws Exception {
    String cluster = "crash-backup";
    operator = RIG.startOperatorProcess("recovery-crash-backup", OPERATOR_ENV);
    MembershipClusters.create(kube, ns, cluster, null);
    awaitVoters(cluster, 3);
    S3Server s3 = RIG.rig().s3();
    String bucket = s3.createBucket(cluster + "-" + System.nanoTime());
    TestBackups.createCredentials(kube, ns, "s3", s3);
    try (TestEtcd etcd = TestEtcd.at(kube, ns, cluster + "-0")) {
      etcd.putKeys("/older/", KEYS);
    }
    backUp(s3, bucket, cluster + "-older", cluster);
    try (TestEtcd etcd = TestEtcd.at(kube, ns, cluster + "-0")) {
      etcd.putKeys("/newer/", KEYS);
    }
    backUp(s3, bucket, cluster + "-newer", cluster);
    TestBackups.corrupt(s3, bucket, kube.resources(EtcdBackup.class).inNamespace(ns).withName(cluster + "-newer").get());
    List.of(cluster + "-0", cluster + "-1")
        .forEach(member -> RIG.rig().faults().breakContainer(ns, member, "etcd", Duration.ofMinutes(30)));
    await("QuorumLost").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> cluster(cluster).getStatus().condition("Available")
            .filter(c -> "QuorumLost".equals(c.getReason())).isPresent());

    operator.close();
    List<String> steps = List.of("RecoveryStarted", "RecoveryRestoring", "RecoveryBackupPassedOver",
        "RecoveryRestoring");
    Map<String, String> halting = new LinkedHashMap<>(OPERATOR_ENV);
    halting.put("QUORUM_RECOVERY_HALT_AFTER_STEP", String.join(",", new java.util.TreeSet<>(steps)));
    EtcdRecovery recovery = new EtcdRecovery();
    recovery.setMetadata(new ObjectMetaBuilder().withName("recover-backup-crash").withNamespace(ns).build());
    recovery.getSpec().setClusterName(cluster);
    recovery.getSpec().setConfirmClusterName(cluster);
    recovery.getSpec().setFrom(RecoverySource.Backup);
    kube.resource(recovery).create();

    assertThat(haltAfterEachStep("recover-backup-crash", halting, steps.size(), step -> {
      List<EtcdRestore> running = restoresOf("recover-backup-crash").stream()
          .filter(r -> r.getStatus() == null || r.getStatus().getPhase() == null || !r.getStatus().getPhase().finished())
          .toList();
      assertThat(running).as("restores running at once after " + step).hasSizeLessThanOrEqualTo(1);
    })).as("halted after each step, in order").containsExactlyElementsOf(steps);

    EtcdRecovery done = awaitFinished("recover-backup-crash");
    assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(OperationPhase.Succeeded);
    assertThat(done.getStatus().getBackup()).isEqualTo(cluster + "-older");
    assertThat(restoresOf("recover-backup-crash")).as("one restore per backup tried, none made twice")
        .extracting(r -> r.getMetadata().getName())
        .containsExactlyInAnyOrder("recover-backup-crash-1", "recover-backup-crash-2");
    awaitVoters(cluster, 3);
    try (TestEtcd etcd = TestEtcd.at(kube, ns, cluster + "-2")) {
      assertThat(etcd.read("/older/")).isEqualTo(TestEtcd.expected("/older/", KEYS));
      assertThat(etcd.read("/newer/")).as("written after the backup restored").isEmpty();
    }
    kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).delete();
  }

  /**
   * Operators started one after the other with the failpoint, each until it halts or the recovery has finished, at most
   * once per step; {@code atHalt} checks the world at each halt. Then an operator without the failpoint.
   *
   * @return the step after which each operator halted, in order
   */
  private static List<String> haltAfterEachStep(String recovery, Map<String, String> halting, int steps,
      java.util.function.Consumer<String> atHalt) {
    List<String> halts = new ArrayList<>();
    for (int run = 0; run <= steps && !finished(recovery); run++) {
      operator = RIG.startOperatorProcess(recovery + "-" + run, halting);
      OperatorProcess current = operator;
      await("operator " + run + " halted, or the recovery finished").atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(200)).until(() -> !current.isAlive() || finished(recovery));
      if (!current.isAlive()) {
        Matcher halted = HALTED.matcher(current.logTail(400));
        String step = null;
        while (halted.find()) {
          step = halted.group(1);
        }
        assertThat(step).as("operator " + run + " halted at a failpoint").isNotNull();
        halts.add(step);
        atHalt.accept(step);
      }
      current.close();
    }
    operator = RIG.startOperatorProcess(recovery + "-after", OPERATOR_ENV);
    return halts;
  }

  private static EtcdRecovery awaitFinished(String recovery) {
    return await(recovery + " finished").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          operator.assertAlive();
          return kube.resources(EtcdRecovery.class).inNamespace(ns).withName(recovery).get();
        }, r -> r.getStatus() != null && r.getStatus().getPhase() != null && r.getStatus().getPhase().finished());
  }

  private static List<EtcdRestore> restoresOf(String recovery) {
    return kube.resources(EtcdRestore.class).inNamespace(ns).list().getItems().stream()
        .filter(r -> r.getMetadata().getName().startsWith(recovery + "-")).toList();
  }

  private static void backUp(S3Server s3, String bucket, String name, String cluster) {
    kube.resources(EtcdBackup.class).inNamespace(ns)
        .resource(TestBackups.toS3(ns, name, cluster, s3, bucket, "s3", null)).create();
    assertThat(TestBackups.awaitFinished(kube, ns, name, () -> operator.assertAlive(), Duration.ofMinutes(2))
        .getPhase()).isEqualTo(OperationPhase.Succeeded);
  }

  /**
   * At a halt: at most one member runs with --force-new-cluster, and while one does no other member of the cluster
   * runs beside it (its old data would meet the forced survivor's new cluster).
   */
  private static void assertOneClusterAtATime(String cluster, String step) {
    List<Pod> running = kube.pods().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", cluster).list().getItems()
        .stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    List<Pod> forced = running.stream().filter(EtcdArgs::forcesNewCluster).toList();
    assertThat(forced).as("forced members after " + step).hasSizeLessThanOrEqualTo(1);
    if (!forced.isEmpty()) {
      assertThat(running).as("members running beside the forced survivor after " + step).containsExactlyElementsOf(
          forced);
    }
  }

  private static boolean finished(String recovery) {
    EtcdRecovery current = kube.resources(EtcdRecovery.class).inNamespace(ns).withName(recovery).get();
    return current != null && !current.inProgress();
  }

  private static EtcdCluster cluster(String name) {
    return kube.resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
  }

  private static List<MemberStatus> members(String cluster) {
    return Clusters.members(kube, ns, cluster);
  }


  private static void awaitVoters(String cluster, int count) {
    Clusters.awaitReadyVoters(kube, ns, cluster, count, operator);
  }

}
