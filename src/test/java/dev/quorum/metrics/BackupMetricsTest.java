package dev.quorum.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BackupMetricsTest {

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final BackupMetrics metrics = new BackupMetrics(registry);

  @Test
  void aSuccessRecordsDurationSizeAndWhenPerCluster() {
    metrics.succeeded("ns", "a", Duration.ofSeconds(3), 1000, Instant.ofEpochSecond(100));
    metrics.succeeded("ns", "a", Duration.ofSeconds(5), 3000, Instant.ofEpochMilli(200_500));
    metrics.succeeded("ns", "b", Duration.ofSeconds(1), 7, Instant.ofEpochSecond(50));

    var timer = registry.get(BackupMetrics.DURATION).tags("namespace", "ns", "cluster", "a").timer();
    assertThat(timer.count()).isEqualTo(2);
    assertThat(timer.totalTime(TimeUnit.SECONDS)).isEqualTo(8);
    var bytes = registry.get(BackupMetrics.BYTES).tags("namespace", "ns", "cluster", "a").summary();
    assertThat(bytes.count()).isEqualTo(2);
    assertThat(bytes.totalAmount()).isEqualTo(4000);
    assertThat(registry.get(BackupMetrics.LAST_SIZE).tags("cluster", "a").gauge().value()).isEqualTo(3000);
    assertThat(registry.get(BackupMetrics.LAST_SUCCESS).tags("cluster", "a").gauge().value()).isEqualTo(200.5);
    assertThat(registry.get(BackupMetrics.LAST_SUCCESS).tags("cluster", "b").gauge().value()).isEqualTo(50);
    // one gauge per cluster, however many backups
    assertThat(registry.find(BackupMetrics.LAST_SUCCESS).gauges()).hasSize(2);
  }

  @Test
  void finalFailuresAndRetriedAttemptsAreCountedApartByReason() {
    metrics.attemptFailed("ns", "a", "SnapshotFailed");
    metrics.attemptFailed("ns", "a", "SnapshotFailed");
    metrics.failed("ns", "a", "SnapshotFailed");
    metrics.failed("ns", "a", "AccessDenied");
    metrics.failed("ns", "missing", "ClusterNotFound");

    assertThat(registry.get(BackupMetrics.ATTEMPT_FAILURES).tags("cluster", "a", "reason", "SnapshotFailed")
        .counter().count()).isEqualTo(2);
    assertThat(registry.get(BackupMetrics.FAILURES).tags("cluster", "a", "reason", "SnapshotFailed")
        .counter().count()).isEqualTo(1);
    assertThat(registry.get(BackupMetrics.FAILURES).tags("cluster", "a", "reason", "AccessDenied")
        .counter().count()).isEqualTo(1);
    assertThat(registry.get(BackupMetrics.FAILURES).tags("namespace", "ns", "cluster", "missing")
        .counter().count()).isEqualTo(1);
    // no success yet: no gauge claims one
    assertThat(registry.find(BackupMetrics.LAST_SUCCESS).gauges()).isEmpty();
  }

  @Test
  void aForgottenClusterLeavesNoSeriesAndOthersStay() {
    metrics.succeeded("ns", "a", Duration.ofSeconds(3), 1000, Instant.ofEpochSecond(100));
    metrics.failed("ns", "a", "AccessDenied");
    metrics.attemptFailed("ns", "a", "SnapshotFailed");
    metrics.succeeded("ns", "b", Duration.ofSeconds(1), 7, Instant.ofEpochSecond(50));
    metrics.succeeded("other", "a", Duration.ofSeconds(1), 7, Instant.ofEpochSecond(50));

    metrics.forgetCluster("ns", "a");

    assertThat(registry.getMeters()).noneMatch(m -> "ns".equals(m.getId().getTag("namespace"))
        && "a".equals(m.getId().getTag("cluster")));
    assertThat(registry.find(BackupMetrics.LAST_SUCCESS).gauges()).hasSize(2);
    // a cluster of the same name, later, starts afresh
    metrics.succeeded("ns", "a", Duration.ofSeconds(2), 5, Instant.ofEpochSecond(300));
    assertThat(registry.get(BackupMetrics.LAST_SUCCESS).tags("namespace", "ns", "cluster", "a").gauge().value())
        .isEqualTo(300);
    assertThat(registry.get(BackupMetrics.BYTES).tags("namespace", "ns", "cluster", "a").summary().count())
        .isEqualTo(1);
  }

  @Test
  void prometheusSeesTheDocumentedNames() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    BackupMetrics metrics = new BackupMetrics(prometheus);
    metrics.succeeded("ns", "a", Duration.ofSeconds(3), 1000, Instant.ofEpochSecond(100));
    metrics.failed("ns", "a", "AccessDenied");
    metrics.attemptFailed("ns", "a", "SnapshotFailed");

    assertThat(prometheus.scrape()).contains(
        "quorum_backup_duration_seconds_count{cluster=\"a\",namespace=\"ns\",} 1.0",
        "quorum_backup_duration_seconds_sum{cluster=\"a\",namespace=\"ns\",} 3.0",
        "quorum_backup_bytes_sum{cluster=\"a\",namespace=\"ns\",} 1000.0",
        "quorum_backup_last_size_bytes{cluster=\"a\",namespace=\"ns\",} 1000.0",
        "quorum_backup_last_success_timestamp_seconds{cluster=\"a\",namespace=\"ns\",} 100.0",
        "quorum_backup_failures_total{cluster=\"a\",namespace=\"ns\",reason=\"AccessDenied\",} 1.0",
        "quorum_backup_attempt_failures_total{cluster=\"a\",namespace=\"ns\",reason=\"SnapshotFailed\",} 1.0");
  }
}
