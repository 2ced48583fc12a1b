package dev.quorum.etcd;

import dev.quorum.config.QuorumConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * One client per etcd cluster, kept while its endpoints stay the same: each jetcd client owns
 * threads and connections, too costly to build on every status refresh. Callers hold a client
 * through a {@link Lease}; a client replaced (endpoints changed) or evicted is retired and closed
 * only once its last lease is closed, so a long call (a backup snapshot) is never cut. Clients of
 * clusters no longer reconciled (deleted) are closed once idle.
 */
@ApplicationScoped
public class EtcdClientPool {

  private static final Logger LOG = Logger.getLogger(EtcdClientPool.class);

  private final EtcdClientSettings settings;
  private final Duration idleTimeout;
  private final BiFunction<List<String>, Optional<ClientTls>, EtcdClusterClient> connector;

  // one lock for all bookkeeping: leasing is rare (status refreshes, backups), closing happens outside it
  private final Object lock = new Object();
  private final Map<String, Entry> current = new HashMap<>();
  private final Set<Entry> draining = new HashSet<>();
  private boolean shutDown;

  private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "etcd-client-sweeper");
    thread.setDaemon(true);
    return thread;
  });

  @Inject
  public EtcdClientPool(QuorumConfig config) {
    this(EtcdClientSettings.from(config), config.statusRefreshInterval().multipliedBy(4).plusMinutes(1));
  }

  EtcdClientPool(EtcdClientSettings settings, Duration idleTimeout) {
    this(settings, idleTimeout, (endpoints, tls) -> EtcdClusterClient.connect(endpoints, settings.with(tls)));
  }

  /** {@code connector} builds a client for sorted endpoints; tests pass one that needs no network. */
  EtcdClientPool(EtcdClientSettings settings, Duration idleTimeout,
      Function<List<String>, EtcdClusterClient> connector) {
    this(settings, idleTimeout, (endpoints, tls) -> connector.apply(endpoints));
  }

  private EtcdClientPool(EtcdClientSettings settings, Duration idleTimeout,
      BiFunction<List<String>, Optional<ClientTls>, EtcdClusterClient> connector) {
    this.settings = settings;
    this.idleTimeout = idleTimeout;
    this.connector = connector;
    // clients of deleted clusters must go even when no other cluster is reconciled any more
    long period = Math.max(1, idleTimeout.toSeconds() / 2);
    sweeper.scheduleWithFixedDelay(() -> closeIdle(System.nanoTime()), period, period, TimeUnit.SECONDS);
  }

  /**
   * A lease on the client of {@code clusterKey}. The client is rebuilt when the endpoints changed
   * (pods moved); the one it replaces is closed once the leases still holding it are closed.
   */
  public Lease lease(String clusterKey, List<String> endpoints) {
    return lease(clusterKey, endpoints, Optional.empty());
  }

  /** As {@link #lease(String, List)}, over TLS when given; a client with other TLS is rebuilt too. */
  public Lease lease(String clusterKey, List<String> endpoints, Optional<ClientTls> tls) {
    List<String> sorted = endpoints.stream().sorted().toList();
    Optional<String> tlsId = tls.map(ClientTls::id);
    Entry replaced = null;
    Entry entry;
    synchronized (lock) {
      if (shutDown) {
        throw new IllegalStateException("the etcd client pool is closed");
      }
      entry = current.get(clusterKey);
      if (entry == null || !entry.endpoints.equals(sorted) || !entry.tlsId.equals(tlsId)) {
        // connecting is lazy (no network), so it is cheap enough under the lock
        Entry fresh = new Entry(clusterKey, sorted, tlsId, connector.apply(sorted, tls));
        replaced = entry;
        if (replaced != null && !retire(replaced)) {
          replaced = null;
        }
        current.put(clusterKey, fresh);
        entry = fresh;
      }
      entry.leases++;
      entry.lastUsedNanos = System.nanoTime();
    }
    if (replaced != null) {
      LOG.debugf("etcd endpoints of %s changed to %s", clusterKey, sorted);
      close(replaced);
    }
    return new Lease(entry);
  }

  /** Retires the client of a cluster that has no members (any more): closed once no lease holds it. */
  public void evict(String clusterKey) {
    Entry idle = null;
    synchronized (lock) {
      Entry entry = current.remove(clusterKey);
      if (entry != null && retire(entry)) {
        idle = entry;
      }
    }
    if (idle != null) {
      close(idle);
    }
  }

  /** Closes the clients nobody leased for the idle timeout, as of {@code nowNanos} (tests move it on). */
  void closeIdle(long nowNanos) {
    List<Entry> idle = new ArrayList<>();
    synchronized (lock) {
      current.values().removeIf(entry -> {
        boolean unused = entry.leases == 0 && nowNanos - entry.lastUsedNanos > idleTimeout.toNanos();
        if (unused) {
          entry.closed = true;
          idle.add(entry);
        }
        return unused;
      });
    }
    idle.forEach(this::close);
  }

  /** Shutdown: every client goes, leased or not. */
  @PreDestroy
  void closeAll() {
    sweeper.shutdownNow();
    List<Entry> all = new ArrayList<>();
    synchronized (lock) {
      shutDown = true;
      all.addAll(current.values());
      all.addAll(draining);
      current.clear();
      draining.clear();
      all.forEach(entry -> entry.closed = true);
    }
    all.forEach(this::close);
  }

  /**
   * Takes a client out of service; true when nobody leases it and the caller must close it now,
   * otherwise the last lease closes it. Callers hold the lock.
   */
  private boolean retire(Entry entry) {
    if (entry.leases == 0) {
      entry.closed = true;
      return true;
    }
    entry.retired = true;
    draining.add(entry);
    return false;
  }

  private void release(Entry entry) {
    boolean last;
    synchronized (lock) {
      entry.leases--;
      entry.lastUsedNanos = System.nanoTime();
      last = entry.retired && entry.leases == 0 && !entry.closed;
      if (last) {
        entry.closed = true;
        draining.remove(entry);
      }
    }
    if (last) {
      close(entry);
    }
  }

  private void close(Entry entry) {
    LOG.debugf("closing the etcd client of %s (%s)", entry.clusterKey, entry.endpoints);
    try {
      entry.client.close();
    } catch (RuntimeException e) {
      LOG.debugf(e, "closing the etcd client of %s failed", entry.clusterKey);
    }
  }

  /** A pooled client and its bookkeeping; the mutable fields are guarded by the pool's lock. */
  private static final class Entry {

    final String clusterKey;
    final List<String> endpoints;
    final Optional<String> tlsId;
    final EtcdClusterClient client;
    int leases;
    long lastUsedNanos = System.nanoTime();
    // replaced or evicted while leased: closed by the last lease
    boolean retired;
    // set once, by whoever closes the client
    boolean closed;

    Entry(String clusterKey, List<String> endpoints, Optional<String> tlsId, EtcdClusterClient client) {
      this.tlsId = tlsId;
      this.clusterKey = clusterKey;
      this.endpoints = endpoints;
      this.client = client;
    }
  }

  /** A hold on a pooled client: the client stays open at least until the lease is closed. */
  public final class Lease implements AutoCloseable {

    private final Entry entry;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(Entry entry) {
      this.entry = entry;
    }

    public EtcdClusterClient client() {
      if (released.get()) {
        throw new IllegalStateException("the lease on the etcd client of " + entry.clusterKey + " is closed");
      }
      return entry.client;
    }

    /** Releases the client once, however often it is called; never throws. */
    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        release(entry);
      }
    }
  }
}
