package dev.quorum.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.rig.ManagedProcess;
import dev.quorum.rig.Net;
import dev.quorum.rig.Tools;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real etcd: the pool retiring a client (endpoints changed) does not cut a snapshot streaming on it. */
class EtcdClientPoolIT {

  private static final Logger LOG = Logger.getLogger(EtcdClientPoolIT.class);

  private static final String CLUSTER = "default/backup-test";
  // under etcd's default 1.5 MiB request limit
  private static final int VALUE_BYTES = 1024 * 1024;
  private static final long FILL_BYTES = 72L * VALUE_BYTES;
  // the snapshot holds here until the endpoints have changed, so the change lands mid-stream
  private static final long HOLD_AT_BYTES = 4L * 1024 * 1024;
  // every call is bounded by the request timeout (the snapshot stream too): leave the slow stream room
  private static final EtcdClientSettings SETTINGS =
      new EtcdClientSettings(Duration.ofSeconds(5), Duration.ofMinutes(5), Optional.empty());

  @TempDir
  Path dataDir;

  @Test
  void anEndpointChangeDuringASnapshotDoesNotCutIt() throws Exception {
    Tools tools = Tools.locate();
    int clientPort = Net.freePort();
    int peerPort = Net.freePort();
    String client = "http://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    Path logs = Path.of("target", "etcd-client-pool-it").toAbsolutePath();
    Queue<CloseCountingClient> connected = new ConcurrentLinkedQueue<>();
    SlowStream stream = new SlowStream();
    try (ManagedProcess etcd = ManagedProcess.start("etcd", List.of(
            tools.etcdBinary(tools.defaultEtcdVersion(), "etcd").toString(),
            "--name=solo", "--data-dir=" + dataDir.resolve("etcd"),
            "--listen-client-urls=" + client, "--advertise-client-urls=" + client,
            "--listen-peer-urls=" + peer, "--initial-advertise-peer-urls=" + peer,
            "--initial-cluster=solo=" + peer, "--unsafe-no-fsync=true", "--log-level=warn"),
        null, dataDir, logs.resolve("etcd.log"))) {
      EtcdClientPool pool = new EtcdClientPool(SETTINGS, Duration.ofHours(1), endpoints -> {
        CloseCountingClient jetcd = CloseCountingClient.wrapping(EtcdClusterClient.connect(endpoints, SETTINGS).jetcd());
        connected.add(jetcd);
        return new EtcdClusterClient(jetcd, endpoints, SETTINGS);
      });
      try {
        List<String> byAddress = List.of(client);
        List<String> byName = List.of("http://localhost:" + clientPort);
        fill(pool, byAddress, etcd);

        CloseCountingClient retired;
        CompletableFuture<Long> snapshot;
        try (EtcdClientPool.Lease held = pool.lease(CLUSTER, byAddress)) {
          retired = (CloseCountingClient) held.client().jetcd();
          snapshot = held.client().jetcd().getMaintenanceClient().snapshot(stream);
          await("snapshot streaming").atMost(Duration.ofMinutes(1))
              .until(() -> stream.isHolding() || snapshot.isDone());
          assertThat(snapshot).as("still streaming").isNotDone();

          long dbSize;
          try (EtcdClientPool.Lease moved = pool.lease(CLUSTER, byName)) {
            assertThat(moved.client()).isNotSameAs(held.client());
            // asked once the snapshot runs: starting it commits what the backend still buffered
            dbSize = moved.client().memberStatus(byName.get(0)).get(30, TimeUnit.SECONDS).getDbSize();
          }
          assertThat(retired.isClosed()).as("retired while leased").isFalse();

          stream.resume();
          long streamed = snapshot.get(5, TimeUnit.MINUTES);

          LOG.infof("snapshot of %d bytes streamed, backend %d bytes", streamed, dbSize);
          assertThat(streamed).isEqualTo(stream.written()).isGreaterThanOrEqualTo(dbSize).isGreaterThan(FILL_BYTES);
          assertThat(retired.isClosed()).isFalse();
        }
        assertThat(retired.closes()).as("closed by its last lease").isEqualTo(1);
        assertThat(connected).hasSize(2).filteredOn(c -> c != retired).allMatch(c -> !c.isClosed());
      } finally {
        // never leave the event loop parked, or closing the client would wait on it
        stream.resume();
        pool.closeAll();
      }
    }
  }

  /** Writes FILL_BYTES of incompressible values. */
  private static void fill(EtcdClientPool pool, List<String> endpoints, ManagedProcess etcd) throws Exception {
    try (EtcdClientPool.Lease lease = pool.lease(CLUSTER, endpoints)) {
      EtcdClusterClient client = lease.client();
      await("etcd has a leader").atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> {
        if (!etcd.isAlive()) {
          throw new AssertionError("etcd exited:\n" + etcd.tail(30));
        }
        return client.memberStatus(endpoints.get(0)).get(5, TimeUnit.SECONDS).getLeader() != 0;
      });
      KV kv = client.jetcd().getKVClient();
      Random random = new Random(42);
      byte[] value = new byte[VALUE_BYTES];
      for (int i = 0; i * (long) VALUE_BYTES < FILL_BYTES; i++) {
        random.nextBytes(value);
        kv.put(ByteSequence.from("fill/" + i, StandardCharsets.UTF_8), ByteSequence.from(value))
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * A slow consumer (an upload, say): a short pause per write, and a hold at HOLD_AT_BYTES until
   * resumed. jetcd writes on its event-loop thread and never closes the stream.
   */
  private static final class SlowStream extends OutputStream {

    private final AtomicLong written = new AtomicLong();
    private final CountDownLatch resumed = new CountDownLatch(1);
    private volatile boolean holding;

    @Override
    public void write(int b) throws InterruptedIOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws InterruptedIOException {
      try {
        if (written.addAndGet(length) >= HOLD_AT_BYTES && resumed.getCount() > 0) {
          holding = true;
          resumed.await(2, TimeUnit.MINUTES);
        }
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("snapshot consumer interrupted");
      }
    }

    boolean isHolding() {
      return holding;
    }

    void resume() {
      resumed.countDown();
    }

    long written() {
      return written.get();
    }
  }
}
