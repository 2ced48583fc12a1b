package dev.quorum.etcd;

import io.etcd.jetcd.Auth;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Cluster;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Lock;
import io.etcd.jetcd.Maintenance;
import io.etcd.jetcd.Watch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A jetcd client that counts how often it is closed. Without a delegate it needs no network (pool
 * bookkeeping tests); with one it passes every call on (tests against a real etcd).
 */
final class CloseCountingClient implements Client {

  private final Client delegate;
  private final AtomicInteger closes = new AtomicInteger();

  private CloseCountingClient(Client delegate) {
    this.delegate = delegate;
  }

  static CloseCountingClient offline() {
    return new CloseCountingClient(null);
  }

  static CloseCountingClient wrapping(Client delegate) {
    return new CloseCountingClient(delegate);
  }

  int closes() {
    return closes.get();
  }

  boolean isClosed() {
    return closes.get() > 0;
  }

  private Client delegate() {
    if (delegate == null) {
      throw new UnsupportedOperationException("an offline test client makes no calls");
    }
    return delegate;
  }

  @Override
  public Auth getAuthClient() {
    return delegate().getAuthClient();
  }

  @Override
  public KV getKVClient() {
    return delegate().getKVClient();
  }

  @Override
  public Cluster getClusterClient() {
    return delegate().getClusterClient();
  }

  @Override
  public Maintenance getMaintenanceClient() {
    return delegate().getMaintenanceClient();
  }

  @Override
  public Lease getLeaseClient() {
    return delegate().getLeaseClient();
  }

  @Override
  public Watch getWatchClient() {
    return delegate().getWatchClient();
  }

  @Override
  public Lock getLockClient() {
    return delegate().getLockClient();
  }

  @Override
  public Election getElectionClient() {
    return delegate().getElectionClient();
  }

  @Override
  public void close() {
    closes.incrementAndGet();
    if (delegate != null) {
      delegate.close();
    }
  }
}
