package dev.quorum.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backup metrics per EtcdCluster (tags {@code namespace}, {@code cluster}), served by Quarkus at /q/metrics:
 * <ul>
 *   <li>{@code quorum_backup_duration_seconds} (timer): how long each successful attempt took</li>
 *   <li>{@code quorum_backup_bytes} (summary): the size of each successful backup</li>
 *   <li>{@code quorum_backup_last_size_bytes} (gauge): the size of the last successful backup</li>
 *   <li>{@code quorum_backup_last_success_timestamp_seconds} (gauge): when the last backup succeeded</li>
 *   <li>{@code quorum_backup_failures_total{reason}}: backups that ended Failed</li>
 *   <li>{@code quorum_backup_attempt_failures_total{reason}}: failed attempts that were retried (not in the above)</li>
 * </ul>
 * The gauges read values held here, one pair per cluster: {@link #forgetCluster} drops them with the cluster's
 * other meters, so a deleted cluster's series do not linger.
 */
@ApplicationScoped
public class BackupMetrics {

  static final String DURATION = "quorum.backup.duration";
  static final String BYTES = "quorum.backup.bytes";
  static final String LAST_SIZE = "quorum.backup.last.size";
  static final String LAST_SUCCESS = "quorum.backup.last.success.timestamp";
  static final String FAILURES = "quorum.backup.failures";
  static final String ATTEMPT_FAILURES = "quorum.backup.attempt.failures";

  private final MeterRegistry registry;
  // the values behind the gauges; Micrometer holds gauge objects only weakly, so this map keeps them alive
  private final Map<ClusterKey, LastSuccess> lastSuccess = new ConcurrentHashMap<>();

  public BackupMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A backup of the cluster succeeded: its attempt took {@code duration} and stored {@code bytes}. */
  public void succeeded(String namespace, String cluster, Duration duration, long bytes, Instant at) {
    Tags tags = tags(namespace, cluster);
    Timer.builder(DURATION).description("Duration of successful backup attempts").tags(tags)
        .register(registry).record(duration);
    DistributionSummary.builder(BYTES).description("Size of successful backups").baseUnit("bytes").tags(tags)
        .register(registry).record(bytes);
    LastSuccess last = lastSuccess.computeIfAbsent(ClusterKey.of(namespace, cluster), k -> register(tags));
    last.bytes.set(bytes);
    last.epochMillis.set(at.toEpochMilli());
  }

  /** A backup of the cluster ended Failed (a permanent failure, or the last attempt). */
  public void failed(String namespace, String cluster, String reason) {
    counter(FAILURES, "Backups that ended Failed, by reason", namespace, cluster, reason).increment();
  }

  /** An attempt failed and will be retried: counted apart from {@link #failed}, so each failure counts once. */
  public void attemptFailed(String namespace, String cluster, String reason) {
    counter(ATTEMPT_FAILURES, "Failed backup attempts that were retried, by reason", namespace, cluster, reason)
        .increment();
  }

  /** The cluster is gone: remove every backup series of it. */
  public void forgetCluster(String namespace, String cluster) {
    lastSuccess.remove(ClusterKey.of(namespace, cluster));
    for (Meter meter : registry.getMeters()) {
      Meter.Id id = meter.getId();
      if (id.getName().startsWith("quorum.backup.") && namespace.equals(id.getTag("namespace"))
          && ClusterKey.of(namespace, cluster).cluster().equals(id.getTag("cluster"))) {
        registry.remove(meter);
      }
    }
  }

  private LastSuccess register(Tags tags) {
    LastSuccess last = new LastSuccess(new AtomicLong(), new AtomicLong());
    Gauge.builder(LAST_SIZE, last.bytes, AtomicLong::get).description("Size of the last successful backup")
        .baseUnit("bytes").tags(tags).register(registry);
    Gauge.builder(LAST_SUCCESS, last.epochMillis, millis -> millis.get() / 1000.0)
        .description("When the last backup succeeded, in seconds since the epoch").baseUnit("seconds").tags(tags)
        .register(registry);
    return last;
  }

  private Counter counter(String name, String description, String namespace, String cluster, String reason) {
    return Counter.builder(name).description(description).tags(tags(namespace, cluster))
        .tag("reason", reason == null ? "Unknown" : reason).register(registry);
  }

  private static Tags tags(String namespace, String cluster) {
    return Tags.of("namespace", namespace, "cluster", cluster == null ? "" : cluster);
  }

  private record ClusterKey(String namespace, String cluster) {
    static ClusterKey of(String namespace, String cluster) {
      return new ClusterKey(namespace, cluster == null ? "" : cluster);
    }
  }

  private record LastSuccess(AtomicLong bytes, AtomicLong epochMillis) {}
}
