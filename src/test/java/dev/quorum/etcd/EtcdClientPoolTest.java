package dev.quorum.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EtcdClientPoolTest {

  private static final EtcdClientSettings SETTINGS =
      new EtcdClientSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), Optional.empty());
  // long enough that the background sweeper never runs during a test; sweeps are driven by hand
  private static final Duration IDLE_TIMEOUT = Duration.ofHours(1);
  private static final List<String> FIRST = List.of("http://10.0.0.1:2379", "http://10.0.0.2:2379");
  private static final List<String> MOVED = List.of("http://10.0.0.1:2379", "http://10.0.0.3:2379");

  private final Queue<CloseCountingChannels> connected = new ConcurrentLinkedQueue<>();
  private final EtcdClientPool pool = new EtcdClientPool(SETTINGS, IDLE_TIMEOUT, endpoints -> {
    CloseCountingChannels channels = new CloseCountingChannels(SETTINGS);
    connected.add(channels);
    return new EtcdClusterClient(endpoints, channels);
  });

  @AfterEach
  void closePool() {
    pool.closeAll();
  }

  @Test
  void reusesTheClientWhileTheEndpointsStayTheSameInAnyOrder() {
    EtcdClusterClient first;
    try (EtcdClientPool.Lease lease = pool.lease("ns/a", FIRST)) {
      first = lease.client();
    }
    try (EtcdClientPool.Lease lease = pool.lease("ns/a", List.of(FIRST.get(1), FIRST.get(0)))) {
      assertThat(lease.client()).isSameAs(first);
      assertThat(lease.client().endpoints()).isEqualTo(FIRST);
    }
    try (EtcdClientPool.Lease other = pool.lease("ns/b", FIRST)) {
      assertThat(other.client()).isNotSameAs(first);
    }
    assertThat(connected).hasSize(2).noneMatch(CloseCountingChannels::isClosed);
  }

  @Test
  void anEndpointChangeClosesTheOldClientOnlyOnceItsLeaseIsClosed() {
    EtcdClientPool.Lease held = pool.lease("ns/a", FIRST);
    CloseCountingChannels old = channels(held);

    try (EtcdClientPool.Lease moved = pool.lease("ns/a", MOVED)) {
      assertThat(moved.client()).isNotSameAs(held.client());
      assertThat(moved.client().endpoints()).isEqualTo(MOVED);
      assertThat(old.isClosed()).as("retired while leased").isFalse();

      held.close();

      assertThat(old.closes()).isEqualTo(1);
      assertThat(channels(moved).isClosed()).isFalse();
    }
  }

  @Test
  void anEndpointChangeClosesAnUnleasedClientAtOnce() {
    pool.lease("ns/a", FIRST).close();
    CloseCountingChannels old = connected.peek();

    try (EtcdClientPool.Lease moved = pool.lease("ns/a", MOVED)) {
      assertThat(old.closes()).isEqualTo(1);
      assertThat(channels(moved).isClosed()).isFalse();
    }
  }

  @Test
  void evictRetiresALeasedClientUntilItsLeaseIsClosed() {
    EtcdClientPool.Lease held = pool.lease("ns/a", FIRST);
    CloseCountingChannels evicted = channels(held);

    pool.evict("ns/a");

    assertThat(evicted.isClosed()).isFalse();
    try (EtcdClientPool.Lease after = pool.lease("ns/a", FIRST)) {
      assertThat(after.client()).as("an evicted client is not handed out again").isNotSameAs(held.client());
    }
    held.close();
    assertThat(evicted.closes()).isEqualTo(1);

    pool.evict("ns/a");
    assertThat(connected).allMatch(client -> client.closes() == 1);
  }

  @Test
  void theIdleSweepClosesOnlyClientsNobodyLeases() {
    EtcdClientPool.Lease held = pool.lease("ns/busy", FIRST);
    pool.lease("ns/idle", FIRST).close();
    CloseCountingChannels busy = channels(held);
    CloseCountingChannels idle = connected.stream().filter(client -> client != busy).findFirst().orElseThrow();

    pool.closeIdle(afterTheIdleTimeout());

    assertThat(idle.closes()).isEqualTo(1);
    assertThat(busy.isClosed()).isFalse();
    try (EtcdClientPool.Lease again = pool.lease("ns/busy", FIRST)) {
      assertThat(again.client()).as("a leased client stays current").isSameAs(held.client());
    }

    held.close();
    pool.closeIdle(afterTheIdleTimeout());

    assertThat(busy.closes()).isEqualTo(1);
    try (EtcdClientPool.Lease fresh = pool.lease("ns/busy", FIRST)) {
      assertThat(channels(fresh).isClosed()).isFalse();
    }
  }

  @Test
  void closingALeaseTwiceReleasesItOnce() {
    EtcdClientPool.Lease first = pool.lease("ns/a", FIRST);
    EtcdClientPool.Lease second = pool.lease("ns/a", FIRST);
    CloseCountingChannels shared = channels(first);
    pool.evict("ns/a");

    first.close();
    first.close();

    assertThat(shared.isClosed()).as("the second lease still holds it").isFalse();
    assertThatThrownBy(first::client).isInstanceOf(IllegalStateException.class);
    second.close();
    assertThat(shared.closes()).isEqualTo(1);
  }

  @Test
  void closeAllClosesEveryClientOnceAndRefusesNewLeases() {
    EtcdClientPool.Lease draining = pool.lease("ns/a", FIRST);
    EtcdClientPool.Lease current = pool.lease("ns/a", MOVED);
    pool.lease("ns/b", FIRST).close();

    pool.closeAll();
    draining.close();
    current.close();

    assertThat(connected).hasSize(3).allMatch(client -> client.closes() == 1);
    assertThatThrownBy(() -> pool.lease("ns/a", FIRST)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void concurrentLeasingClosesEveryRetiredClientExactlyOnce() throws Exception {
    List<List<String>> endpointLists = List.of(FIRST, MOVED, List.of("http://10.0.0.4:2379"));
    List<String> clusters = List.of("ns/a", "ns/b");
    AtomicInteger closedWhileLeased = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    int threads = 4;
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(executor.submit(() -> {
          start.await();
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < 5_000; i++) {
            String cluster = clusters.get(random.nextInt(clusters.size()));
            int action = random.nextInt(20);
            if (action == 0) {
              pool.evict(cluster);
            } else if (action == 1) {
              pool.closeIdle(afterTheIdleTimeout());
            } else {
              try (EtcdClientPool.Lease lease = pool.lease(cluster,
                  endpointLists.get(random.nextInt(endpointLists.size())))) {
                if (channels(lease).isClosed()) {
                  closedWhileLeased.incrementAndGet();
                }
                Thread.yield();
                if (channels(lease).isClosed()) {
                  closedWhileLeased.incrementAndGet();
                }
              }
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> worker : workers) {
        worker.get(2, TimeUnit.MINUTES);
      }
    } finally {
      executor.shutdownNow();
    }

    assertThat(closedWhileLeased).hasValue(0);
    assertThat(connected).hasSizeGreaterThan(clusters.size()).allMatch(client -> client.closes() <= 1);
    assertThat(connected.stream().filter(client -> !client.isClosed()).count())
        .as("only the current client of each cluster is open").isLessThanOrEqualTo(clusters.size());

    pool.closeAll();
    assertThat(connected).allMatch(client -> client.closes() == 1);
  }

  private static CloseCountingChannels channels(EtcdClientPool.Lease lease) {
    return (CloseCountingChannels) lease.client().channels();
  }

  private static long afterTheIdleTimeout() {
    return System.nanoTime() + IDLE_TIMEOUT.toNanos() * 2;
  }
}
