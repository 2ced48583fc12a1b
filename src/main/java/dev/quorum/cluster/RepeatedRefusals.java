package dev.quorum.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, per cluster, a membership step that is refused the same way pass after pass, so the status says so once
 * it has gone on a while instead of only the log saying it on every pass. Any other outcome (the step done, another
 * step, a refusal in other words) starts the count again. In memory: an operator restarted counts afresh.
 */
final class RepeatedRefusals {

  /** Reported once refused this many times in a row... */
  static final int REPORT_AFTER_TIMES = 5;
  /** ...over at least this long: a removal etcd refuses for a few seconds after a membership change is normal. */
  static final Duration REPORT_AFTER = Duration.ofSeconds(30);

  /**
   * A step refused the same way since {@code since}.
   *
   * @param step what the operator tried, in words
   * @param refusal what it was told, in etcd's (or the API server's) words
   */
  record Refusal(String step, String refusal, int times, Instant since, boolean reported) {

    boolean reportable(Instant now) {
      return times >= REPORT_AFTER_TIMES && !since.plus(REPORT_AFTER).isAfter(now);
    }

    /** Stable while the refusal lasts, so the status does not change with every pass. */
    String message() {
      return step + " has been refused the same way since " + since + ": " + refusal;
    }
  }

  private final Map<String, Refusal> byCluster = new ConcurrentHashMap<>();

  /** Counts a refusal; returns it on the pass it first becomes worth reporting, and only then. */
  Optional<Refusal> refused(String cluster, String step, String refusal, Instant now) {
    Refusal last = byCluster.get(cluster);
    boolean same = last != null && last.step().equals(step) && last.refusal().equals(refusal);
    Refusal counted = same ? new Refusal(step, refusal, last.times() + 1, last.since(), last.reported())
        : new Refusal(step, refusal, 1, now, false);
    boolean newlyReportable = !counted.reported() && counted.reportable(now);
    byCluster.put(cluster, newlyReportable
        ? new Refusal(step, refusal, counted.times(), counted.since(), true) : counted);
    return newlyReportable ? Optional.of(counted) : Optional.empty();
  }

  /** The step went through, or none was tried: the count starts again. */
  void cleared(String cluster) {
    byCluster.remove(cluster);
  }

  /** The refusal to report now, if one has lasted long enough. */
  Optional<Refusal> current(String cluster, Instant now) {
    return Optional.ofNullable(byCluster.get(cluster)).filter(r -> r.reportable(now));
  }
}
