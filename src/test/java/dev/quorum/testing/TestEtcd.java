package dev.quorum.testing;

import dev.quorum.rig.Pods;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Keys written to and read from a cluster on the rig, through a member's pod address (this machine routes to pods, but resolves no cluster name). */
public final class TestEtcd implements AutoCloseable {

  private final Client client;

  private TestEtcd(Client client) {
    this.client = client;
  }

  public static TestEtcd at(io.fabric8.kubernetes.client.KubernetesClient kube, String namespace, String pod) {
    return new TestEtcd(Client.builder().endpoints("http://" + Pods.ip(kube, namespace, pod) + ":2379").build());
  }

  public static String key(String prefix, int i) {
    return prefix + String.format("%05d", i);
  }

  public static String value(int i) {
    return "value-" + i;
  }

  /** Writes {@code count} keys {@code <prefix>00000...}, at most 64 in flight. */
  public void putKeys(String prefix, int count) throws Exception {
    Semaphore inFlight = new Semaphore(64);
    List<CompletableFuture<?>> puts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      inFlight.acquire();
      puts.add(client.getKVClient().put(bytes(key(prefix, i)), bytes(value(i)))
          .whenComplete((r, e) -> inFlight.release()));
    }
    CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
  }

  public void put(String key, String value) throws Exception {
    client.getKVClient().put(bytes(key), bytes(value)).get(30, TimeUnit.SECONDS);
  }

  /** Every key under {@code prefix} with its value. */
  public Map<String, String> read(String prefix) throws Exception {
    Map<String, String> found = new TreeMap<>();
    for (KeyValue kv : client.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).build())
        .get(30, TimeUnit.SECONDS).getKvs()) {
      found.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().toString(StandardCharsets.UTF_8));
    }
    return found;
  }

  public long deletePrefix(String prefix) throws Exception {
    return client.getKVClient().delete(bytes(prefix), DeleteOption.builder().isPrefix(true).build())
        .get(30, TimeUnit.SECONDS).getDeleted();
  }

  /** The cluster's current revision. */
  public long revision() throws Exception {
    return client.getKVClient().get(bytes("/"), GetOption.builder().withCountOnly(true).build())
        .get(30, TimeUnit.SECONDS).getHeader().getRevision();
  }

  /**
   * What a client watching every key from {@code revision} is told first: the revision etcd says it compacted, or empty
   * when it sends events for that revision instead (or nothing within ten seconds), as it does when the revision is
   * still to come or is served from history.
   */
  public Optional<Long> compactedRevisionFor(long revision) throws Exception {
    CompletableFuture<Optional<Long>> first = new CompletableFuture<>();
    ByteSequence everyKey = ByteSequence.from(new byte[] {0});
    try (Watch.Watcher watcher = client.getWatchClient().watch(everyKey,
        WatchOption.builder().withRange(everyKey).withRevision(revision).build(),
        events -> first.complete(Optional.empty()),
        error -> first.complete(error instanceof CompactedException compacted
            ? Optional.of(compacted.getCompactedRevision()) : Optional.empty()))) {
      try {
        return first.get(10, TimeUnit.SECONDS);
      } catch (TimeoutException quiet) {
        return Optional.empty();
      }
    }
  }

  public static Map<String, String> expected(String prefix, int count) {
    Map<String, String> expected = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      expected.put(key(prefix, i), value(i));
    }
    return expected;
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    client.close();
  }
}
