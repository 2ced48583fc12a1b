package dev.quorum.backup;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs backup attempts off the reconciler threads (a snapshot takes minutes) and remembers them per EtcdBackup
 * UID until the reconciler has recorded the outcome. Two at a time: each holds a member's snapshot stream
 * and an upload part, and a third would only compete for the same disks and network.
 */
@ApplicationScoped
public class BackupRunner {

  static final int CONCURRENT_BACKUPS = 2;

  /** {@code started}: when the attempt was submitted, for the duration metric. */
  record Attempt(int number, Instant started, Future<BackupResult> outcome) {}

  private final AtomicInteger threads = new AtomicInteger();
  private final ExecutorService workers = Executors.newFixedThreadPool(CONCURRENT_BACKUPS, r -> {
    Thread thread = new Thread(r, "backup-" + threads.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });
  private final Map<String, Attempt> attempts = new ConcurrentHashMap<>();
  private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();

  Optional<Attempt> current(String uid) {
    return Optional.ofNullable(attempts.get(uid));
  }

  Attempt start(String uid, int number, BackupJob job) {
    notBefore.remove(uid);
    return attempts.computeIfAbsent(uid, k -> new Attempt(number, Instant.now(), workers.submit(job)));
  }

  /** The outcome is on record: forget the attempt, and wait until {@code retryAt} before the next one, if any. */
  void finished(String uid, Optional<Instant> retryAt) {
    attempts.remove(uid);
    retryAt.ifPresentOrElse(at -> notBefore.put(uid, at), () -> notBefore.remove(uid));
  }

  Optional<Instant> retryAt(String uid) {
    return Optional.ofNullable(notBefore.get(uid));
  }

  /** An EtcdBackup that was deleted: stop its attempt. */
  void cancel(String uid) {
    Attempt attempt = attempts.remove(uid);
    notBefore.remove(uid);
    if (attempt != null) {
      attempt.outcome().cancel(true);
    }
  }

  @PreDestroy
  void stop() {
    workers.shutdownNow();
  }
}
