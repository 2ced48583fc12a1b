package dev.quorum.etcd;

import dev.quorum.config.QuorumConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One client per etcd cluster, kept while its endpoints stay the same: each jetcd client owns
 * threads and connections, too costly to build on every status refresh. Clients of clusters no
 * longer reconciled (deleted) are closed once idle.
 */
@ApplicationScoped
public class EtcdClientPool {

  private static final Logger LOG = Logger.getLogger(EtcdClientPool.class);

  private final EtcdClientSettings settings;
  private final Duration idleTimeout;
  private final Map<String, Pooled> clients = new ConcurrentHashMap<>();

  private record Pooled(List<String> endpoints, EtcdClusterClient client, long lastUsedNanos) {}

  @Inject
  public EtcdClientPool(QuorumConfig config) {
    this(EtcdClientSettings.from(config), config.statusRefreshInterval().multipliedBy(4).plusMinutes(1));
  }

  EtcdClientPool(EtcdClientSettings settings, Duration idleTimeout) {
    this.settings = settings;
    this.idleTimeout = idleTimeout;
    // clients of deleted clusters must go even when no other cluster is reconciled any more
    long period = Math.max(1, idleTimeout.toSeconds() / 2);
    sweeper.scheduleWithFixedDelay(this::closeIdle, period, period, TimeUnit.SECONDS);
  }

  private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "etcd-client-sweeper");
    thread.setDaemon(true);
    return thread;
  });

  public EtcdClientSettings settings() {
    return settings;
  }

  /** The client of {@code clusterKey}, rebuilt when the endpoints changed (pods moved). */
  public EtcdClusterClient clientFor(String clusterKey, List<String> endpoints) {
    closeIdle();
    List<String> sorted = endpoints.stream().sorted().toList();
    Pooled pooled = clients.compute(clusterKey, (key, current) -> {
      if (current != null && current.endpoints().equals(sorted)) {
        return new Pooled(sorted, current.client(), System.nanoTime());
      }
      if (current != null) {
        closeQuietly(key, current.client());
      }
      return new Pooled(sorted, EtcdClusterClient.connect(sorted, settings), System.nanoTime());
    });
    return pooled.client();
  }

  public void evict(String clusterKey) {
    Pooled removed = clients.remove(clusterKey);
    if (removed != null) {
      closeQuietly(clusterKey, removed.client());
    }
  }

  private void closeIdle() {
    long now = System.nanoTime();
    clients.forEach((key, pooled) -> {
      if (now - pooled.lastUsedNanos() > idleTimeout.toNanos() && clients.remove(key, pooled)) {
        closeQuietly(key, pooled.client());
      }
    });
  }

  @PreDestroy
  void closeAll() {
    sweeper.shutdownNow();
    clients.keySet().forEach(this::evict);
  }

  private static void closeQuietly(String key, EtcdClusterClient client) {
    try {
      client.close();
    } catch (RuntimeException e) {
      LOG.debugf(e, "closing the etcd client of %s failed", key);
    }
  }
}
