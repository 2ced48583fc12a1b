package dev.quorum.recovery;

import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.EtcdRecoveryStatus;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.recovery.RecoveryPlanner.Decision;
import dev.quorum.restore.RestorePlanner;
import dev.quorum.restore.RestoreStep;
import dev.quorum.specs.RecoveryRestoreBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pure: a recovery from a backup, carried out by an in-place {@link EtcdRestore} it owns (the restore's own checks,
 * hold and steps; nothing of it is done twice). The backup is the one named, or the newest {@code Succeeded} backup of
 * the cluster; when the restore's check of its object fails before anything was stopped (corrupt, gone, unreadable),
 * that backup is passed over, on record with why, for the next newest one, each through a restore of its own.
 *
 * <p>Invariants: a backup is passed over only when its restore touched nothing (no member stopped: its status has
 * no cluster token) and failed for the object's sake, not the cluster's; a named backup is never passed over; one
 * restore runs at a time, the recovery's status naming it before it is created.
 */
public final class BackupRecovery {

  public static final String RECOVERING = "RecoveringFromBackup";
  public static final String NO_BACKUP = "NoVerifiedBackup";
  public static final String RESTORE_FAILED = "RestoreFailed";

  /** Separates a passed-over backup's name from why, in the recovery's status. */
  private static final String WHY = ": ";

  private BackupRecovery() {}

  /** The backups a recovery may restore, newest first: the cluster's that Succeeded, less those passed over. */
  static List<EtcdBackup> candidates(String cluster, List<EtcdBackup> backups, Set<String> passedOver) {
    return backups.stream()
        .filter(b -> b.getSpec() != null && cluster.equals(b.getSpec().getClusterName()))
        .filter(b -> b.getStatus() != null && b.getStatus().getPhase() == OperationPhase.Succeeded)
        .filter(b -> !passedOver.contains(b.getMetadata().getName()))
        .sorted(Comparator.comparing((EtcdBackup b) -> completed(b).orElse(Instant.MIN), Comparator.reverseOrder())
            .thenComparing(b -> Optional.ofNullable(b.getStatus().getRevision()).orElse(0L), Comparator.reverseOrder())
            .thenComparing(b -> b.getMetadata().getName()))
        .toList();
  }

  /** For the cluster's status while it has lost its quorum: the backup a recovery from: Backup would restore. */
  public static Optional<String> newest(String cluster, List<EtcdBackup> backups, Instant now) {
    return candidates(cluster, backups, Set.of()).stream().findFirst().map(b -> describe(b, now));
  }

  /** What restoring the backup gives up, as known now: its revision and age against the newest revision a member answered. */
  static String loss(EtcdBackup backup, Optional<QuorumLoss.Assessment> quorumLoss, Instant now) {
    Long revision = backup.getStatus().getRevision();
    long newestAnswered = quorumLoss.map(l -> l.voters().stream().mapToLong(QuorumLoss.Voter::revision).max()
        .orElse(0)).orElse(0L);
    return "restores " + describe(backup, now) + "; gives up what was written after it"
        + (revision != null && newestAnswered > revision ? " (a member answered revision " + newestAnswered + ")" : "");
  }

  private static String describe(EtcdBackup backup, Instant now) {
    Long revision = backup.getStatus().getRevision();
    return "EtcdBackup " + backup.getMetadata().getName() + " (revision " + (revision == null ? "unknown" : revision)
        + completed(backup).map(at -> ", completed " + at + ", " + age(Duration.between(at, now)) + " ago").orElse("")
        + ")";
  }

  /**
   * One pass of a recovery from a backup that has begun: the restore its status names is created, followed, or, once
   * it has failed, passed over for the next backup or the end of the recovery.
   */
  static Decision proceed(EtcdRecovery recovery, EtcdClusterModel model, List<EtcdRestore> restores,
      List<EtcdBackup> backups, Optional<QuorumLoss.Assessment> quorumLoss, Instant now) {
    EtcdRecoveryStatus status = recovery.getStatus();
    String backup = status.getBackup();
    Optional<EtcdRestore> restore = restores.stream()
        .filter(r -> r.getMetadata().getName().equals(status.getRestore())).findFirst();
    if (restore.isEmpty()) {
      return new Decision.Restore(recovery, RecoveryRestoreBuilder.build(recovery, status.getRestore(), backup));
    }
    EtcdRestoreStatus restored = restore.get().getStatus();
    OperationPhase phase = restored == null ? null : restored.getPhase();
    String name = "EtcdRestore " + status.getRestore();
    if (phase == OperationPhase.Succeeded) {
      return new Decision.Finish(recovery, "the cluster is restored from EtcdBackup " + backup
          + RestoreStep.atRevision(restored)
          + passedOverNote(status) + " (" + name + ")", model.members().stream().map(Member::name).toList());
    }
    if (phase != OperationPhase.Failed) {
      return new Decision.Follow(recovery, name + " restores EtcdBackup " + backup + " in place"
          + Optional.ofNullable(restored).map(EtcdRestoreStatus::getMessage).map(m -> ": " + m).orElse(""));
    }
    String why = restored.getReason() + ", " + restored.getMessage();
    boolean touchedNothing = restored.getInitialClusterToken() == null;
    if (!touchedNothing || RestorePlanner.CLUSTER_REFUSALS.contains(restored.getReason())
        || recovery.getSpec().getBackupName() != null) {
      return new Decision.Fail(recovery, RESTORE_FAILED, name + " of EtcdBackup " + backup + " failed (" + why + ")"
          + (touchedNothing ? "; no member was stopped" : ""));
    }
    List<String> passedOver = new ArrayList<>(passedOver(status));
    passedOver.add(backup + WHY + why);
    List<EtcdBackup> next = candidates(recovery.getSpec().getClusterName(), backups,
        passedOver.stream().map(BackupRecovery::nameOf).collect(Collectors.toSet()));
    if (next.isEmpty()) {
      return new Decision.Fail(recovery, NO_BACKUP, "no backup of the cluster verifies: " + String.join("; ",
          passedOver) + "; no member was stopped");
    }
    return new Decision.NextBackup(recovery, passedOver, next.get(0).getMetadata().getName(),
        RecoveryRestoreBuilder.name(recovery, passedOver.size() + 1), loss(next.get(0), quorumLoss, now),
        next.get(0).getStatus().getRevision());
  }

  static List<String> passedOver(EtcdRecoveryStatus status) {
    return status.getSkippedBackups() == null ? List.of() : status.getSkippedBackups();
  }

  private static String passedOverNote(EtcdRecoveryStatus status) {
    List<String> names = passedOver(status).stream().map(BackupRecovery::nameOf).toList();
    return names.isEmpty() ? "" : ", passing over the newer " + (names.size() == 1 ? "EtcdBackup " : "EtcdBackups ")
        + String.join(", ", names) + " (failed the check)";
  }

  private static String nameOf(String passedOver) {
    int at = passedOver.indexOf(WHY);
    return at < 0 ? passedOver : passedOver.substring(0, at);
  }

  static Optional<Instant> completed(EtcdBackup backup) {
    String at = backup.getStatus() == null ? null : backup.getStatus().getCompletionTime();
    if (at == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(at));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static String age(Duration age) {
    Duration positive = age.isNegative() ? Duration.ZERO : age;
    if (positive.toHours() >= 48) {
      return positive.toDays() + "d";
    }
    if (positive.toMinutes() >= 120) {
      return positive.toHours() + "h";
    }
    return positive.toMinutes() >= 2 ? positive.toMinutes() + "m" : positive.toSeconds() + "s";
  }

  /** Begun from a backup: its backup and restore are on record. */
  public static boolean begun(EtcdRecovery recovery) {
    return recovery.begun() && recovery.getStatus().getBackup() != null;
  }
}
