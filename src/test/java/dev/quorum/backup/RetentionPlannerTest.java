package dev.quorum.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.backup.RetentionPlanner.Backup;
import dev.quorum.backup.RetentionPlanner.Deletion;
import dev.quorum.backup.RetentionPlanner.Policy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionPlannerTest {

  static final Instant NOW = Instant.parse("2026-01-10T00:00:00Z");

  /** b0 oldest ... one a day, days before NOW given */
  static Backup b(String name, OperationPhase phase, int daysAgo) {
    return new Backup(name, phase, NOW.minus(Duration.ofDays(daysAgo)));
  }

  static List<String> names(List<Deletion> deletions) {
    return deletions.stream().map(Deletion::name).toList();
  }

  @Test
  void keepLastDeletesTheOldestSuccessfulWithTheirObjects() {
    List<Backup> backups = List.of(b("d5", OperationPhase.Succeeded, 5), b("d4", OperationPhase.Succeeded, 4),
        b("d3", OperationPhase.Succeeded, 3), b("d2", OperationPhase.Succeeded, 2), b("d1", OperationPhase.Succeeded, 1),
        b("run", OperationPhase.Running, 0));
    List<Deletion> deletions = RetentionPlanner.plan(backups, new Policy(3, null, 3, 1), NOW);
    assertThat(names(deletions)).containsExactlyInAnyOrder("d5", "d4");
    assertThat(deletions).allMatch(Deletion::deleteObject);
  }

  @Test
  void maxAgeNeverDeletesTheNewestSuccessful() {
    List<Backup> backups = List.of(b("d9", OperationPhase.Succeeded, 9), b("d8", OperationPhase.Succeeded, 8),
        b("f1", OperationPhase.Failed, 1));
    assertThat(names(RetentionPlanner.plan(backups, new Policy(null, Duration.ofDays(7), 3, 1), NOW)))
        .containsExactly("d9");
    assertThat(names(RetentionPlanner.plan(backups, new Policy(null, Duration.ofDays(30), 3, 1), NOW))).isEmpty();
    // keepLast 1 and maxAge together: only the newest stays, whatever its age
    assertThat(names(RetentionPlanner.plan(backups, new Policy(1, Duration.ofDays(1), 3, 1), NOW)))
        .containsExactly("d9");
  }

  @Test
  void failedBackupsFollowTheirHistoryLimitAndHaveNoObject() {
    List<Backup> backups = new ArrayList<>(List.of(b("f3", OperationPhase.Failed, 3), b("f2", OperationPhase.Failed, 2),
        b("f1", OperationPhase.Failed, 1), b("ok", OperationPhase.Succeeded, 4)));
    List<Deletion> deletions = RetentionPlanner.plan(backups, new Policy(3, null, 3, 1), NOW);
    assertThat(names(deletions)).containsExactly("f2", "f3");
    assertThat(deletions).noneMatch(Deletion::deleteObject);
    assertThat(names(RetentionPlanner.plan(backups, new Policy(3, null, 3, 0), NOW)))
        .containsExactly("f1", "f2", "f3");
  }

  @Test
  void withoutRetentionTheHistoryLimitDeletesResourcesOnly() {
    List<Backup> backups = List.of(b("d3", OperationPhase.Succeeded, 3), b("d2", OperationPhase.Succeeded, 2),
        b("d1", OperationPhase.Succeeded, 1), b("p", OperationPhase.Pending, 0));
    List<Deletion> deletions = RetentionPlanner.plan(backups, new Policy(null, null, 1, 1), NOW);
    assertThat(names(deletions)).containsExactly("d2", "d3");
    assertThat(deletions).noneMatch(Deletion::deleteObject);
    assertThat(names(RetentionPlanner.plan(backups, new Policy(null, null, 0, 1), NOW)))
        .as("the newest stays").containsExactly("d2", "d3");
  }

  @Test
  void maxAgeFormat() {
    assertThat(RetentionPlanner.parseMaxAge("30d")).isEqualTo(Duration.ofDays(30));
    assertThat(RetentionPlanner.parseMaxAge("168h")).isEqualTo(Duration.ofHours(168));
    assertThat(RetentionPlanner.parseMaxAge("90m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(RetentionPlanner.parseMaxAge(null)).isNull();
    assertThatThrownBy(() -> RetentionPlanner.parseMaxAge("1h30m")).isInstanceOf(IllegalArgumentException.class);
    assertThat(dev.quorum.api.v1alpha1.BackupRetention.MAX_AGE_PATTERN).isEqualTo("^[1-9][0-9]{0,8}(s|m|h|d)$");
  }
}
