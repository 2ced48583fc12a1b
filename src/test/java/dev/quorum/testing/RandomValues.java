package dev.quorum.testing;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Loads an etcd with random (incompressible) 1 MiB values, as the backup tests and benchmarks need a large database. */
public final class RandomValues {

  public static final int MIB = 1024 * 1024;
  /** Several puts in flight: one at a time would take minutes more. */
  public static final int PUTS_IN_FLIGHT = 8;

  private RandomValues() {}

  /**
   * Values under {@code /data/from..to-1} at {@code endpoint}, the same bytes for the same keys on every run.
   *
   * @param allWithin how long every put together may take
   */
  public static void load(String endpoint, int from, int to, Duration allWithin) throws Exception {
    try (Client etcd = Client.builder().endpoints(endpoint).build()) {
      KV kv = etcd.getKVClient();
      Semaphore inFlight = new Semaphore(PUTS_IN_FLIGHT);
      AtomicReference<Throwable> failed = new AtomicReference<>();
      List<CompletableFuture<?>> puts = new ArrayList<>();
      Random random = new Random(from + 11);
      for (int i = from; i < to && failed.get() == null; i++) {
        byte[] value = new byte[MIB];
        random.nextBytes(value);
        if (!inFlight.tryAcquire(2, TimeUnit.MINUTES)) {
          throw new IllegalStateException("no put finished in 2 minutes");
        }
        puts.add(kv.put(ByteSequence.from("/data/" + i, StandardCharsets.UTF_8), ByteSequence.from(value))
            .whenComplete((response, error) -> {
              if (error != null) {
                failed.compareAndSet(null, error);
              }
              inFlight.release();
            }));
      }
      CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(allWithin.toMillis(), TimeUnit.MILLISECONDS);
      if (failed.get() != null) {
        throw new IllegalStateException("a put failed", failed.get());
      }
    }
  }
}
