package dev.quorum.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.quorum.rig.Net;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.SnapshotResponse;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SnapshotStreamTest {

  private static final int CHUNK = 32 * 1024;
  private static final SnapshotOptions OPTIONS = SnapshotOptions.withTimeout(Duration.ofMinutes(1));
  private static final MaintenanceStatus STATUS = MaintenanceStatus.of("http://127.0.0.1:2379", StatusResponse.newBuilder()
      .setHeader(ResponseHeader.newBuilder().setClusterId(1).setMemberId(2).setRevision(3))
      .setVersion("3.6.16").build());

  @Test
  void readsTheDatabaseThenItsChecksumAndEnds() throws IOException {
    byte[] database = random(3 * CHUNK + 123);
    Scripted etcd = Scripted.sending(asEtcdSendsIt(database, sha256(database)));
    SnapshotStream stream = etcd.stream();

    byte[] read = stream.readAllBytes();

    assertThat(read).hasSize(database.length + 32);
    assertThat(Arrays.copyOf(read, database.length)).isEqualTo(database);
    assertThat(Arrays.copyOfRange(read, database.length, read.length)).isEqualTo(sha256(database));
    assertThat(stream.size()).isEqualTo(read.length);
    assertThat(stream.bytesRead()).isEqualTo(read.length);
    assertThat(stream.bytesReceived()).isEqualTo(read.length);
    assertThat(stream.read()).isEqualTo(-1);
    stream.close();
    assertThat(etcd.cancels).as("a complete snapshot is not cancelled").isEmpty();
  }

  @Test
  void theSizeIsKnownFromTheFirstMessage() {
    byte[] database = random(2 * CHUNK + 5);
    Scripted etcd = Scripted.sending(asEtcdSendsIt(database, sha256(database)));
    SnapshotStream stream = etcd.stream();

    assertThat(stream.size()).isEqualTo(database.length + 32L);
    assertThat(stream.bytesRead()).isZero();
  }

  @Test
  void readsByteByByteToo() throws IOException {
    byte[] database = random(CHUNK + 7);
    SnapshotStream stream = Scripted.sending(asEtcdSendsIt(database, sha256(database))).stream();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int b = stream.read(); b >= 0; b = stream.read()) {
      out.write(b);
    }

    assertThat(out.toByteArray()).startsWith(database).hasSize(database.length + 32);
  }

  @Test
  void holdsNoMoreThanItsBoundWhateverEtcdSends() throws IOException {
    byte[] database = random(40 * CHUNK);
    Scripted etcd = Scripted.sending(asEtcdSendsIt(database, sha256(database)));
    SnapshotStream stream = etcd.stream();

    byte[] chunk = new byte[1000];
    while (stream.read(chunk) >= 0) {
      assertThat(stream.bufferedBytes()).isLessThanOrEqualTo(OPTIONS.maxBufferedMessages() * (long) CHUNK);
    }

    assertThat(stream.peakBufferedBytes()).isEqualTo(OPTIONS.maxBufferedMessages() * (long) CHUNK)
        .isLessThanOrEqualTo(stream.maxBufferedBytes());
  }

  @Test
  void aWrongChecksumFailsTheLastRead() throws IOException {
    byte[] database = random(2 * CHUNK);
    byte[] wrong = sha256(database);
    wrong[0] ^= 1;
    SnapshotStream stream = Scripted.sending(asEtcdSendsIt(database, wrong)).stream();

    assertThatThrownBy(() -> drain(stream)).isInstanceOf(IOException.class).hasMessageContaining("SHA-256");
    // and keeps failing: never a clean -1
    assertThatThrownBy(stream::read).isInstanceOf(IOException.class).hasMessageContaining("SHA-256");
  }

  @Test
  void aStreamEndingShortFailsTheLastRead() {
    byte[] database = random(3 * CHUNK);
    List<SnapshotResponse> all = asEtcdSendsIt(database, sha256(database));
    SnapshotStream stream = Scripted.sending(all.subList(0, 2)).stream();

    assertThatThrownBy(() -> drain(stream)).isInstanceOf(IOException.class)
        .hasMessageContaining("ended after " + 2 * CHUNK + " of " + (3 * CHUNK + 32) + " bytes");
  }

  @Test
  void aStreamLongerThanAnnouncedFails() {
    byte[] database = random(CHUNK);
    List<SnapshotResponse> all = new ArrayList<>(asEtcdSendsIt(database, sha256(database)));
    all.add(SnapshotResponse.newBuilder().setBlob(ByteString.copyFromUtf8("extra")).build());
    SnapshotStream stream = Scripted.sending(all).stream();

    assertThatThrownBy(() -> drain(stream)).isInstanceOf(IOException.class).hasMessageContaining("longer than");
  }

  @Test
  void anRpcErrorReachesTheReaderWithItsStatus() {
    byte[] database = random(3 * CHUNK);
    Scripted etcd = Scripted.sending(asEtcdSendsIt(database, sha256(database)).subList(0, 1));
    etcd.endWith = Status.DEADLINE_EXCEEDED;
    SnapshotStream stream = etcd.stream();

    assertThatThrownBy(() -> drain(stream)).isInstanceOf(IOException.class)
        .hasMessageContaining("did not finish within its timeout of PT1M")
        .hasRootCauseInstanceOf(StatusRuntimeException.class);
    assertThat(stream.receiveFailure()).isNotNull();
  }

  @Test
  void closingEarlyCancelsTheRpcAndLaterReadsFail() throws IOException {
    byte[] database = random(10 * CHUNK);
    Scripted etcd = Scripted.sending(asEtcdSendsIt(database, sha256(database)));
    SnapshotStream stream = etcd.stream();
    assertThat(stream.read(new byte[100])).isEqualTo(100);

    stream.close();
    stream.close();

    assertThat(etcd.cancels).hasSize(1);
    assertThat(stream.bufferedBytes()).isZero();
    assertThatThrownBy(stream::read).isInstanceOf(IOException.class).hasMessageContaining("closed");
    assertThat(stream.isChannelTerminated()).isTrue();
  }

  @Test
  void anEtcdWithoutDataFailsTheReadInsteadOfEndingEmpty() {
    Scripted etcd = Scripted.sending(List.of());
    SnapshotStream stream = etcd.stream();

    assertThat(stream.size()).isEqualTo(-1);
    assertThatThrownBy(() -> drain(stream)).isInstanceOf(IOException.class)
        .hasMessageContaining("before its first byte");
  }

  @Test
  void memberStatusKeepsWhatABackupRecords() {
    StatusResponse answer = StatusResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setClusterId(0xcdf818194e3a8c32L).setMemberId(0xfd422379fda50e48L)
            .setRevision(4711).setRaftTerm(3))
        .setVersion("3.5.35").setDbSize(1 << 20).setLeader(0xfd422379fda50e48L).setRaftIndex(99).setRaftTerm(3)
        .build();

    MaintenanceStatus status = MaintenanceStatus.of("http://demo-0:2379", answer);

    assertThat(status.clusterIdHex()).isEqualTo("cdf818194e3a8c32");
    assertThat(status.memberIdHex()).isEqualTo("fd422379fda50e48");
    assertThat(status.revision()).isEqualTo(4711);
    assertThat(status.version()).isEqualTo("3.5.35");
    assertThat(status.dbSize()).isEqualTo(1 << 20);
    assertThat(status.raftIndex()).isEqualTo(99);
    assertThat(status.isLeader()).isTrue();
  }

  @Test
  void optionsRefuseWhatCannotWork() {
    assertThatThrownBy(() -> SnapshotOptions.withTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SnapshotOptions(Duration.ofMinutes(1), 0, 1 << 20))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(SnapshotOptions.withTimeout(Duration.ofMinutes(1)).maxBufferedBytes()).isEqualTo(1 << 20);
  }

  @Test
  void anEndpointNeedsAHostAndPort() {
    EtcdClientSettings settings =
        new EtcdClientSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), Optional.empty());

    assertThatThrownBy(() -> SnapshotStream.open("demo-0", settings, OPTIONS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://host:2379");
  }

  @Test
  void aMemberNobodyListensForFailsWithinTheRequestTimeout() {
    EtcdClientSettings settings =
        new EtcdClientSettings(Duration.ofSeconds(1), Duration.ofSeconds(2), Optional.empty());
    long start = System.nanoTime();

    assertThatThrownBy(() -> SnapshotStream.open("http://127.0.0.1:" + Net.freePort(), settings, OPTIONS))
        .isInstanceOf(IOException.class).hasMessageContaining("did not answer its status");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  /** What etcd's Maintenance/Snapshot sends: 32 KiB blobs counting down remaining_bytes, then the checksum. */
  static List<SnapshotResponse> asEtcdSendsIt(byte[] database, byte[] checksum) {
    List<SnapshotResponse> messages = new ArrayList<>();
    for (int sent = 0; sent < database.length; ) {
      int n = Math.min(CHUNK, database.length - sent);
      messages.add(SnapshotResponse.newBuilder().setBlob(ByteString.copyFrom(database, sent, n))
          .setRemainingBytes(database.length - sent - n).build());
      sent += n;
    }
    messages.add(SnapshotResponse.newBuilder().setBlob(ByteString.copyFrom(checksum)).build());
    return messages;
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  private static void drain(InputStream stream) throws IOException {
    byte[] chunk = new byte[8192];
    while (stream.read(chunk) >= 0) {
      // discard
    }
  }

  /**
   * An etcd that sends exactly what it is asked for, synchronously from request() as a transport may, then ends
   * with {@code endWith}.
   */
  private static final class Scripted implements SnapshotBuffer.Upstream {

    private final Queue<SnapshotResponse> pending;
    final List<String> cancels = new CopyOnWriteArrayList<>();
    Status endWith = Status.OK;
    private SnapshotStream stream;
    private boolean ended;

    private Scripted(List<SnapshotResponse> messages) {
      this.pending = new ArrayDeque<>(messages);
    }

    static Scripted sending(List<SnapshotResponse> messages) {
      return new Scripted(messages);
    }

    /** A stream started as open() does, minus the network. */
    SnapshotStream stream() {
      stream = new SnapshotStream(STATUS.endpoint(), OPTIONS, Duration.ofSeconds(5), STATUS, this, null);
      stream.start();
      return stream;
    }

    @Override
    public synchronized void request(int messages) {
      for (int i = 0; i < messages && !pending.isEmpty(); i++) {
        stream.received(pending.poll());
      }
      if (pending.isEmpty() && !ended) {
        ended = true;
        stream.ended(endWith);
      }
    }

    @Override
    public synchronized void cancel(String reason) {
      cancels.add(reason);
      if (!ended) {
        ended = true;
        stream.ended(Status.CANCELLED.withDescription(reason));
      }
    }
  }
}
