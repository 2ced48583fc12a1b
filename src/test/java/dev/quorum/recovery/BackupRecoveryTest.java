package dev.quorum.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.EtcdRecoveryStatus;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.RecoverySource;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.RestoreSource;
import dev.quorum.recovery.RecoveryPlanner.Decision;
import dev.quorum.restore.RestoreSources;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A recovery from a backup (and the least-loss choice between the two ways) as {@link RecoveryPlanner} and
 * {@link BackupRecovery} decide it: the 3-member persistent cluster {@code demo} has lost demo-0 and demo-1's data;
 * demo-2 answers without a leader at revision 450.
 */
class BackupRecoveryTest {

  private static final Instant NOW = Instant.parse("2026-12-07T06:00:00Z");

  private final EtcdCluster cluster = TestClusters.cluster("demo", 3);
  private final MemberBootstrapRecords records = TestClusters.foundingRecords(TestClusters.model(cluster));
  private final EtcdClusterModel model = TestClusters.model(cluster, records);
  private final List<Pod> pods = List.of(TestClusters.pod(model, 2, false));
  private final List<PersistentVolumeClaim> claims = List.of(claim(2));
  private final ClusterView etcd = view(member(0, false, 0), member(1, false, 0), member(2, true, 900));

  @Test
  void aRecoveryFromABackupBeginsWithTheNewestSucceededBackupOfTheClusterAndSaysWhatItGivesUp() {
    List<EtcdBackup> backups = List.of(
        backup("hourly-0500", "demo", OperationPhase.Succeeded, "2026-12-07T05:00:00Z", 410L),
        backup("hourly-0530", "demo", OperationPhase.Succeeded, "2026-12-07T05:30:00Z", 430L),
        backup("hourly-0545", "demo", OperationPhase.Failed, "2026-12-07T05:45:00Z", null),
        backup("other-0555", "other", OperationPhase.Succeeded, "2026-12-07T05:55:00Z", 999L));

    List<Decision> decisions = decide(recovery("recover", RecoverySource.Backup, null), backups, List.of());

    assertThat(decisions).singleElement().isInstanceOfSatisfying(Decision.BeginFromBackup.class, begin -> {
      assertThat(begin.backup()).isEqualTo("hourly-0530");
      assertThat(begin.restore()).isEqualTo("recover-1");
      assertThat(begin.revision()).isEqualTo(430L);
      assertThat(begin.loss()).contains("revision 430", "30m ago", "a member answered revision 450");
    });
  }

  @Test
  void onceItsRestoreIsOnRecordTheRecoveryCreatesItInPlaceOwnedByTheRecovery() {
    EtcdRecovery recovery = begunFrom("hourly-0530", "recover-1", List.of());

    List<Decision> decisions = decide(recovery, List.of(), List.of());

    assertThat(decisions).singleElement().isInstanceOfSatisfying(Decision.Restore.class, create -> {
      EtcdRestore restore = create.restore();
      assertThat(restore.getMetadata().getName()).isEqualTo("recover-1");
      assertThat(restore.getSpec().getSource().getBackup()).isEqualTo("hourly-0530");
      assertThat(restore.getSpec().getClusterName()).isEqualTo("demo");
      assertThat(restore.getSpec().getInPlace().getConfirmClusterName()).isEqualTo("demo");
      assertThat(restore.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(owner -> assertThat(owner.getName()).isEqualTo("recover"));
    });
  }

  @Test
  void theRecoveryFollowsItsRestoreWhileTheRestoreHoldsTheClusterAndSucceedsWithIt() {
    EtcdRecovery recovery = begunFrom("hourly-0530", "recover-1", List.of());
    MemberBootstrapRecords restoring = model.restoredInPlace(new RestoreSource("bucket", "k.db", "us-east-1",
        Optional.empty(), false, Optional.empty(), Optional.empty()), "abcd1234");
    RecoveryPlanner.Observation held = new RecoveryPlanner.Observation(model, restoring, List.of(), Set.of(), List.of(),
        Optional.empty(), Optional.empty(), List.of(recovery), List.of(),
        List.of(restore("recover-1", OperationPhase.Running, "Restoring", "2 of 3 members ready", "demo-abcd1234")),
        Optional.of("recover-1"), NOW);

    assertThat(RecoveryPlanner.decide(held)).singleElement().isInstanceOfSatisfying(Decision.Follow.class,
        follow -> assertThat(follow.message()).contains("recover-1", "hourly-0530", "2 of 3 members ready"));

    EtcdRestore done = restore("recover-1", OperationPhase.Succeeded, "Restored", "restored", "demo-abcd1234");
    done.getStatus().setRestoredRevision(430L);
    assertThat(decide(recovery, List.of(), List.of(done))).singleElement()
        .isInstanceOfSatisfying(Decision.Finish.class, finish -> {
          assertThat(finish.message()).contains("hourly-0530", "revision 430");
          assertThat(finish.members()).as("every member restored").containsExactly("demo-0", "demo-1", "demo-2");
        });
  }

  @Test
  void aBackupWhoseObjectFailsTheCheckIsPassedOverForTheNextNewestAndSaidSo() {
    List<EtcdBackup> backups = List.of(
        backup("hourly-0500", "demo", OperationPhase.Succeeded, "2026-12-07T05:00:00Z", 410L),
        backup("hourly-0530", "demo", OperationPhase.Succeeded, "2026-12-07T05:30:00Z", 430L));
    EtcdRecovery recovery = begunFrom("hourly-0530", "recover-1", List.of());
    EtcdRestore corrupt = restore("recover-1", OperationPhase.Failed, "ChecksumMismatch",
        "the object's SHA-256 is not the backup's", null);

    List<Decision> decisions = decide(recovery, backups, List.of(corrupt));

    assertThat(decisions).singleElement().isInstanceOfSatisfying(Decision.NextBackup.class, next -> {
      assertThat(next.backup()).isEqualTo("hourly-0500");
      assertThat(next.restore()).isEqualTo("recover-2");
      assertThat(next.revision()).isEqualTo(410L);
      assertThat(next.passedOver()).singleElement().asString()
          .startsWith("hourly-0530: ChecksumMismatch").contains("SHA-256");
    });
  }

  @Test
  void whenNoBackupVerifiesTheRecoveryFailsNamingEachAndNothingWasStopped() {
    List<EtcdBackup> backups = List.of(
        backup("hourly-0500", "demo", OperationPhase.Succeeded, "2026-12-07T05:00:00Z", 410L),
        backup("hourly-0530", "demo", OperationPhase.Succeeded, "2026-12-07T05:30:00Z", 430L));
    EtcdRecovery recovery = begunFrom("hourly-0500", "recover-2",
        List.of("hourly-0530: ChecksumMismatch, the object's SHA-256 is not the backup's"));
    EtcdRestore gone = restore("recover-2", OperationPhase.Failed, "ObjectNotFound", "there is no object", null);

    assertThat(decide(recovery, backups, List.of(gone))).singleElement()
        .isInstanceOfSatisfying(Decision.Fail.class, fail -> {
          assertThat(fail.reason()).isEqualTo(BackupRecovery.NO_BACKUP);
          assertThat(fail.message()).contains("hourly-0530: ChecksumMismatch", "hourly-0500: ObjectNotFound",
              "no member was stopped");
        });
  }

  @Test
  void aRestoreThatStoppedMembersOrFailedForTheClustersSakeOrOfANamedBackupIsNotRetriedWithAnotherBackup() {
    List<EtcdBackup> backups = List.of(
        backup("hourly-0500", "demo", OperationPhase.Succeeded, "2026-12-07T05:00:00Z", 410L),
        backup("hourly-0530", "demo", OperationPhase.Succeeded, "2026-12-07T05:30:00Z", 430L));
    EtcdRestore midway = restore("recover-1", OperationPhase.Failed, "ClusterDeleted", "deleted", "demo-abcd1234");
    assertThat(decide(begunFrom("hourly-0530", "recover-1", List.of()), backups, List.of(midway))).singleElement()
        .isInstanceOf(Decision.Fail.class);

    EtcdRestore paused = restore("recover-1", OperationPhase.Failed, "ClusterPaused", "paused", null);
    assertThat(decide(begunFrom("hourly-0530", "recover-1", List.of()), backups, List.of(paused))).singleElement()
        .isInstanceOf(Decision.Fail.class);

    EtcdRecovery named = begunFrom("hourly-0530", "recover-1", List.of());
    named.getSpec().setBackupName("hourly-0530");
    EtcdRestore corrupt = restore("recover-1", OperationPhase.Failed, "ChecksumMismatch", "corrupt", null);
    assertThat(decide(named, backups, List.of(corrupt))).singleElement()
        .isInstanceOfSatisfying(Decision.Fail.class, fail -> assertThat(fail.message()).contains("corrupt",
            "no member was stopped"));
  }

  @Test
  void aNamedBackupThatIsMissingOrNotASucceededBackupOfTheClusterIsRefused() {
    List<EtcdBackup> backups = List.of(
        backup("failed", "demo", OperationPhase.Failed, "2026-12-07T05:00:00Z", null),
        backup("others", "other", OperationPhase.Succeeded, "2026-12-07T05:00:00Z", 400L));

    assertThat(refusal(recovery("recover", RecoverySource.Backup, "missing"), backups))
        .isEqualTo(RestoreSources.BACKUP_NOT_FOUND);
    assertThat(refusal(recovery("recover", RecoverySource.Backup, "failed"), backups))
        .isEqualTo(RestoreSources.BACKUP_NOT_SUCCEEDED);
    assertThat(refusal(recovery("recover", RecoverySource.Backup, "others"), backups))
        .isEqualTo(RestoreSources.BACKUP_NOT_SUCCEEDED);
  }

  @Test
  void theLeastLossTakesTheBackupOnlyWhenItIsFurtherAlongThanTheBestSurvivor() {
    EtcdRecovery leastLoss = recovery("recover", RecoverySource.LeastLoss, null);
    List<EtcdBackup> older = List.of(backup("b", "demo", OperationPhase.Succeeded, "2026-12-07T05:30:00Z", 430L));
    assertThat(decide(leastLoss, older, List.of())).singleElement()
        .isInstanceOfSatisfying(Decision.Begin.class, begin -> assertThat(begin.loss()).contains("least loss",
            "EtcdBackup b (revision 430)"));

    List<EtcdBackup> newer = List.of(backup("b", "demo", OperationPhase.Succeeded, "2026-12-07T05:59:00Z", 460L));
    assertThat(decide(leastLoss, newer, List.of())).singleElement()
        .isInstanceOfSatisfying(Decision.BeginFromBackup.class, begin -> assertThat(begin.loss())
            .contains("least loss", "demo-2 (revision 450)"));

    List<EtcdBackup> tied = List.of(backup("b", "demo", OperationPhase.Succeeded, "2026-12-07T05:59:00Z", 450L));
    assertThat(decide(leastLoss, tied, List.of())).singleElement().as("a tie keeps the survivor's data")
        .isInstanceOf(Decision.Begin.class);

    EtcdCluster ephemeral = TestClusters.cluster("demo", 3);
    ephemeral.getSpec().getStorage().setEphemeral(true);
    EtcdClusterModel ephemeralModel = TestClusters.model(ephemeral, records);
    assertThat(RecoveryPlanner.decide(observation(ephemeralModel, leastLoss, older, List.of()))).singleElement()
        .as("no survivor to take: the backup").isInstanceOf(Decision.BeginFromBackup.class);
    assertThat(RecoveryPlanner.decide(observation(ephemeralModel, leastLoss, List.of(), List.of())))
        .singleElement().isInstanceOfSatisfying(Decision.Refuse.class,
            refuse -> assertThat(refuse.message()).contains("neither way back", "ephemeral", "no Succeeded"));
  }

  @Test
  void aRecoveryAskedWhileAUsersRestoreHoldsTheClusterIsRefused() {
    RecoveryPlanner.Observation held = new RecoveryPlanner.Observation(model, records, pods, Set.of(), claims,
        Optional.of(etcd), loss(model), List.of(recovery("recover", RecoverySource.Survivor, null)), List.of(),
        List.of(), Optional.of("users-restore"), NOW);

    assertThat(RecoveryPlanner.decide(held)).singleElement().isInstanceOfSatisfying(Decision.Refuse.class,
        refuse -> {
          assertThat(refuse.reason()).isEqualTo(RecoveryPlanner.RESTORE_IN_PROGRESS);
          assertThat(refuse.message()).contains("users-restore");
        });
  }

  // ---- what passes see ----

  private String refusal(EtcdRecovery recovery, List<EtcdBackup> backups) {
    return ((Decision.Refuse) decide(recovery, backups, List.of()).get(0)).reason();
  }

  private List<Decision> decide(EtcdRecovery recovery, List<EtcdBackup> backups, List<EtcdRestore> restores) {
    return RecoveryPlanner.decide(observation(model, recovery, backups, restores));
  }

  private RecoveryPlanner.Observation observation(EtcdClusterModel model, EtcdRecovery recovery,
      List<EtcdBackup> backups, List<EtcdRestore> restores) {
    return new RecoveryPlanner.Observation(model, records, pods, Set.of(), claims, Optional.of(etcd), loss(model),
        List.of(recovery), backups, restores, Optional.empty(), NOW);
  }

  private Optional<QuorumLoss.Assessment> loss(EtcdClusterModel model) {
    return QuorumLoss.assess(model, records, pods, claims, Optional.of(etcd), true);
  }

  private static EtcdRecovery recovery(String name, RecoverySource from, String backupName) {
    EtcdRecovery recovery = new EtcdRecovery();
    recovery.getMetadata().setName(name);
    recovery.getMetadata().setNamespace("default");
    recovery.getMetadata().setUid(name + "-uid");
    recovery.getSpec().setClusterName("demo");
    recovery.getSpec().setConfirmClusterName("demo");
    recovery.getSpec().setFrom(from);
    recovery.getSpec().setBackupName(backupName);
    return recovery;
  }

  private static EtcdRecovery begunFrom(String backup, String restore, List<String> passedOver) {
    EtcdRecovery recovery = recovery("recover", RecoverySource.Backup, null);
    EtcdRecoveryStatus status = new EtcdRecoveryStatus();
    status.setPhase(OperationPhase.Running);
    status.setBackup(backup);
    status.setRestore(restore);
    status.setSkippedBackups(passedOver.isEmpty() ? null : passedOver);
    recovery.setStatus(status);
    return recovery;
  }

  private static EtcdBackup backup(String name, String cluster, OperationPhase phase, String completed,
      Long revision) {
    EtcdBackup backup = new EtcdBackup();
    backup.getMetadata().setName(name);
    backup.getMetadata().setNamespace("default");
    backup.getSpec().setClusterName(cluster);
    EtcdBackupStatus status = new EtcdBackupStatus();
    status.setPhase(phase);
    status.setCompletionTime(completed);
    status.setRevision(revision);
    backup.setStatus(status);
    return backup;
  }

  /** @param token the cluster token the restore recorded once it began stopping members; null before */
  private static EtcdRestore restore(String name, OperationPhase phase, String reason, String message, String token) {
    EtcdRestore restore = new EtcdRestore();
    restore.getMetadata().setName(name);
    restore.getMetadata().setNamespace("default");
    EtcdRestoreStatus status = new EtcdRestoreStatus();
    status.setPhase(phase);
    status.setReason(reason);
    status.setMessage(message);
    status.setInitialClusterToken(token);
    restore.setStatus(status);
    return restore;
  }

  private PersistentVolumeClaim claim(int ordinal) {
    return new PersistentVolumeClaimBuilder(TestClusters.claim(model, ordinal))
        .editMetadata().withUid("data-demo-" + ordinal + "-uid").endMetadata().build();
  }

  private MemberView member(int ordinal, boolean answers, long raftIndex) {
    Member member = model.members().get(ordinal);
    return new MemberView(ordinal + 1, member.name(), List.of(member.peerUrl()), List.of(member.clientUrl()), false,
        answers, false, answers ? "3.6.16" : null, answers ? null : "connection refused", raftIndex / 2, raftIndex);
  }

  private static ClusterView view(MemberView... members) {
    return new ClusterView(0xcafe, 0, new ArrayList<>(List.of(members)));
  }
}
