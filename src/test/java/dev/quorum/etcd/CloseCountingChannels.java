package dev.quorum.etcd;

import java.util.concurrent.atomic.AtomicInteger;

/** A client's member channels that count how often they are closed; opened by nobody, so no network is needed. */
final class CloseCountingChannels extends MemberChannels {

  private final AtomicInteger closes = new AtomicInteger();

  CloseCountingChannels(EtcdClientSettings settings) {
    super(settings);
  }

  int closes() {
    return closes.get();
  }

  boolean isClosed() {
    return closes.get() > 0;
  }

  @Override
  public void close() {
    closes.incrementAndGet();
    super.close();
  }
}
