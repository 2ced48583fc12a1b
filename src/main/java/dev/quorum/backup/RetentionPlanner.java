package dev.quorum.backup;

import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.WholeDuration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which of a schedule's backups to delete, as a pure function. Successful ones beyond keepLast or older than maxAge
 * lose their object and their EtcdBackup; without retention, only EtcdBackups beyond successfulBackupsHistoryLimit
 * go (their objects stay). Failed ones beyond failedBackupsHistoryLimit go (they left no object). The newest
 * successful backup is never deleted; unfinished ones are never touched.
 */
public final class RetentionPlanner {


  private RetentionPlanner() {}

  /** One of the schedule's backups; {@code scheduledTime} orders them and gives their age. */
  public record Backup(String name, OperationPhase phase, Instant scheduledTime) {}

  /** @param keepLast null or ≥ 1; @param maxAge null when unset; retention applies when either is set */
  public record Policy(Integer keepLast, Duration maxAge, int successfulHistoryLimit, int failedHistoryLimit) {

    boolean retention() {
      return keepLast != null || maxAge != null;
    }
  }

  /** @param deleteObject whether its object in the store goes too (before the EtcdBackup, so none is orphaned) */
  public record Deletion(String name, boolean deleteObject, String why) {}

  public static List<Deletion> plan(List<Backup> backups, Policy policy, Instant now) {
    Comparator<Backup> newestFirst = Comparator.comparing(Backup::scheduledTime)
        .thenComparing(Backup::name).reversed();
    List<Backup> succeeded = backups.stream().filter(b -> b.phase() == OperationPhase.Succeeded)
        .sorted(newestFirst).toList();
    List<Backup> failed = backups.stream().filter(b -> b.phase() == OperationPhase.Failed).sorted(newestFirst).toList();
    List<Deletion> deletions = new ArrayList<>();
    // index 0, the newest successful backup, always stays
    for (int i = 1; i < succeeded.size(); i++) {
      Backup b = succeeded.get(i);
      if (policy.retention()) {
        if (policy.keepLast() != null && i >= policy.keepLast()) {
          deletions.add(new Deletion(b.name(), true, "beyond keepLast " + policy.keepLast()));
        } else if (policy.maxAge() != null && b.scheduledTime().isBefore(now.minus(policy.maxAge()))) {
          deletions.add(new Deletion(b.name(), true, "older than maxAge " + policy.maxAge()));
        }
      } else if (i >= policy.successfulHistoryLimit()) {
        deletions.add(new Deletion(b.name(), false,
            "beyond successfulBackupsHistoryLimit " + policy.successfulHistoryLimit()));
      }
    }
    for (int i = policy.failedHistoryLimit(); i < failed.size(); i++) {
      deletions.add(new Deletion(failed.get(i).name(), false,
          "beyond failedBackupsHistoryLimit " + policy.failedHistoryLimit()));
    }
    return deletions;
  }

  /** A maxAge: a whole number and s, m, h or d (the CRD's pattern); null when absent. */
  public static Duration parseMaxAge(String maxAge) {
    return maxAge == null ? null : WholeDuration.parse("maxAge", maxAge);
  }
}
