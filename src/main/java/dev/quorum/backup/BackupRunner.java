package dev.quorum.backup;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Runs backup attempts off the reconciler threads (a snapshot takes minutes) and remembers them per EtcdBackup
 * UID until the reconciler has recorded the outcome. Two at a time: each holds a member's snapshot stream
 * and an upload part, and a third would only compete for the same disks and network.
 */
@ApplicationScoped
public class BackupRunner {

  static final int CONCURRENT_BACKUPS = 2;

  /** How often running attempts are checked against their EtcdBackup. */
  static final Duration WATCH_PERIOD = Duration.ofSeconds(2);
  private static final Logger LOG = Logger.getLogger(BackupRunner.class);

  /**
   * {@code started}: when the attempt was submitted, for the duration metric; {@code wanted}: whether its EtcdBackup
   * still exists (and is not being deleted), asked of the API server while it runs.
   */
  record Attempt(int number, Instant started, Future<BackupResult> outcome, BackupJob job, String what,
      BooleanSupplier wanted) {}

  private final AtomicInteger threads = new AtomicInteger();
  private final ExecutorService workers = Executors.newFixedThreadPool(CONCURRENT_BACKUPS, r -> {
    Thread thread = new Thread(r, "backup-" + threads.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });
  private final Map<String, Attempt> attempts = new ConcurrentHashMap<>();
  private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();
  // no finalizer on EtcdBackups (one would block their deletion whenever the operator is down): a deleted backup
  // is noticed by asking, and its attempt stopped
  private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "backup-watch");
    thread.setDaemon(true);
    return thread;
  });

  BackupRunner() {
    watch.scheduleWithFixedDelay(this::stopUnwanted, WATCH_PERIOD.toMillis(), WATCH_PERIOD.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  Optional<Attempt> current(String uid) {
    return Optional.ofNullable(attempts.get(uid));
  }

  /** @param what the EtcdBackup, as logs name it; @param wanted whether it still exists */
  Attempt start(String uid, int number, BackupJob job, String what, BooleanSupplier wanted) {
    notBefore.remove(uid);
    return attempts.computeIfAbsent(uid,
        k -> new Attempt(number, Instant.now(), workers.submit(job), job, what, wanted));
  }

  /** The outcome is on record: forget the attempt, and wait until {@code retryAt} before the next one, if any. */
  void finished(String uid, Optional<Instant> retryAt) {
    attempts.remove(uid);
    retryAt.ifPresentOrElse(at -> notBefore.put(uid, at), () -> notBefore.remove(uid));
  }

  Optional<Instant> retryAt(String uid) {
    return Optional.ofNullable(notBefore.get(uid));
  }

  /** Stops the attempts whose EtcdBackup is gone; one that cannot be asked about now is asked again later. */
  void stopUnwanted() {
    for (Map.Entry<String, Attempt> entry : attempts.entrySet()) {
      Attempt attempt = entry.getValue();
      if (attempt.outcome().isDone()) {
        continue;
      }
      boolean wanted;
      try {
        wanted = attempt.wanted().getAsBoolean();
      } catch (RuntimeException e) {
        LOG.debugf(e, "could not check whether %s still exists", attempt.what());
        continue;
      }
      if (!wanted) {
        LOG.infof("%s was deleted while its backup ran: stopping it; its upload is aborted, no object is left",
            attempt.what());
        cancel(entry.getKey());
      }
    }
  }

  /** An EtcdBackup that was deleted: stop its attempt. */
  void cancel(String uid) {
    Attempt attempt = attempts.remove(uid);
    notBefore.remove(uid);
    if (attempt != null) {
      // closing the stream is what ends the upload; an interrupt could also cut short the abort of its parts
      attempt.job().stop();
      attempt.outcome().cancel(false);
    }
  }

  @PreDestroy
  void stop() {
    watch.shutdownNow();
    workers.shutdownNow();
  }
}
