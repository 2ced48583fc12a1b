package dev.quorum.operation;

import dev.quorum.config.QuorumConfig;
import java.time.Duration;

/**
 * How an operation that failed for a reason that may pass (an object store or a member briefly away) is tried again:
 * up to {@code maxAttempts} attempts, the first delay doubled before each next one, up to {@link #MAX_DOUBLINGS}.
 * Backups and restores use the same policy and the same settings: they wait on the same object stores.
 */
public record RetryPolicy(int maxAttempts, Duration firstDelay) {

  /** 64 times the first delay at most (5 s grows to 5 min 20 s): long enough for a store or a member to come back. */
  static final int MAX_DOUBLINGS = 6;

  public RetryPolicy {
    maxAttempts = Math.max(1, maxAttempts);
  }

  public static RetryPolicy from(QuorumConfig config) {
    return new RetryPolicy(config.backup().maxAttempts(), config.backup().firstRetryDelay());
  }

  /** Whether another attempt follows the {@code attemptsMade} made so far. */
  public boolean retries(int attemptsMade) {
    return attemptsMade < maxAttempts;
  }

  /** The wait after {@code attemptsMade} failed attempts: 5 s, 10 s, 20 s, 40 s... by default. */
  public Duration delayAfter(int attemptsMade) {
    return firstDelay.multipliedBy(1L << Math.max(0, Math.min(attemptsMade - 1, MAX_DOUBLINGS)));
  }
}
