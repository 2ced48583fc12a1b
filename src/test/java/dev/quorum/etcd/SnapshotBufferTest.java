package dev.quorum.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SnapshotBufferTest {

  private static final long FAR = TimeUnit.MINUTES.toNanos(5);

  private final FakeUpstream upstream = new FakeUpstream();
  private final SnapshotBuffer buffer = new SnapshotBuffer(3, upstream);

  @Test
  void asksForWhatItCanHoldThenOneMessageForEachTheReaderIsDoneWith() throws IOException {
    buffer.start();
    assertThat(upstream.requested()).isEqualTo(3);

    buffer.offer(blob(10));
    buffer.offer(blob(20));
    buffer.offer(blob(30));
    assertThat(buffer.heldMessages()).isEqualTo(3);
    assertThat(buffer.bufferedBytes()).isEqualTo(60);

    // taking the first hands it out; it still holds its credit until the next is taken
    assertThat(buffer.next(deadline()).size()).isEqualTo(10);
    assertThat(upstream.requested()).isEqualTo(3);
    assertThat(buffer.next(deadline()).size()).isEqualTo(20);
    assertThat(upstream.requested()).isEqualTo(4);
    assertThat(buffer.heldMessages()).isEqualTo(2);
    assertThat(buffer.bufferedBytes()).isEqualTo(50);
    assertThat(buffer.peakBufferedBytes()).isEqualTo(60);
    assertThat(buffer.receivedBytes()).isEqualTo(60);
  }

  @Test
  void anUpstreamSendingAllItIsGrantedNeverFillsMoreThanTheCapacity() throws IOException {
    buffer.start();
    int sent = 0;
    for (int round = 0; round < 50; round++) {
      while (sent < upstream.requested()) {
        buffer.offer(blob(100));
        sent++;
      }
      assertThat(buffer.heldMessages()).isEqualTo(3);
      buffer.next(deadline());
    }
    // the first take releases nothing; each later one releases the message taken before
    assertThat(upstream.requested()).isEqualTo(3 + 49);
    assertThat(sent).isEqualTo(3 + 48);
    assertThat(buffer.peakBufferedBytes()).isEqualTo(300);
  }

  @Test
  void deliversWhatIsQueuedThenTheEnd() throws IOException {
    buffer.start();
    buffer.offer(blob(1));
    buffer.offer(blob(2));
    buffer.finish(null);

    assertThat(buffer.next(deadline()).size()).isEqualTo(1);
    assertThat(buffer.next(deadline()).size()).isEqualTo(2);
    assertThat(buffer.next(deadline())).isNull();
    assertThat(buffer.next(deadline())).isNull();
    // nothing more is asked of an upstream that ended
    assertThat(upstream.requested()).isEqualTo(3);
    assertThat(buffer.failure()).isNull();
  }

  @Test
  void aFailureDropsWhatIsQueuedAndReachesTheReaderAtOnce() throws IOException {
    buffer.start();
    buffer.offer(blob(1));
    buffer.offer(blob(2));
    IOException broken = new IOException("member gone");
    buffer.finish(broken);

    assertThatThrownBy(() -> buffer.next(deadline())).isSameAs(broken);
    assertThat(buffer.bufferedBytes()).isZero();
    assertThat(buffer.ended()).isTrue();
    // a later end changes nothing
    buffer.finish(null);
    assertThat(buffer.failure()).isSameAs(broken);
  }

  @Test
  void closingEarlyCancelsUpstreamOnceAndDropsWhatArrivesAfter() throws IOException {
    buffer.start();
    buffer.offer(blob(5));
    buffer.next(deadline());

    buffer.close("done early");
    buffer.close("again");
    buffer.offer(blob(7));

    assertThat(upstream.cancels).containsExactly("done early");
    assertThat(buffer.bufferedBytes()).isZero();
    assertThatThrownBy(() -> buffer.next(deadline())).isInstanceOf(IOException.class).hasMessageContaining("closed");
  }

  @Test
  void closingAfterTheEndCancelsNothing() throws IOException {
    buffer.start();
    buffer.finish(null);
    assertThat(buffer.next(deadline())).isNull();

    buffer.close("done");

    assertThat(upstream.cancels).isEmpty();
  }

  @Test
  void aWaitingReaderWakesForAMessageTheEndOrAClose() throws Exception {
    buffer.start();
    CompletableFuture<ByteString> first = CompletableFuture.supplyAsync(this::nextQuietly);
    await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> !first.isDone());
    buffer.offer(blob(4));
    assertThat(first.get(5, TimeUnit.SECONDS).size()).isEqualTo(4);

    CompletableFuture<ByteString> second = CompletableFuture.supplyAsync(this::nextQuietly);
    buffer.close("stop");
    assertThat(second).failsWithin(Duration.ofSeconds(5)).withThrowableThat().withMessageContaining("closed");
  }

  @Test
  void aReaderWaitsNoLongerThanItsDeadline() {
    buffer.start();

    assertThatThrownBy(() -> buffer.next(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50)))
        .isInstanceOf(IOException.class).hasMessageContaining("deadline");
  }

  @Test
  void anInterruptedReaderGetsAnInterruptedIoException() {
    buffer.start();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> buffer.next(deadline())).isInstanceOf(InterruptedIOException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  private ByteString nextQuietly() {
    try {
      return buffer.next(deadline());
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static long deadline() {
    return System.nanoTime() + FAR;
  }

  private static ByteString blob(int size) {
    return ByteString.copyFrom(new byte[size]);
  }

  /** Records what the buffer asks; sends nothing by itself. */
  static final class FakeUpstream implements SnapshotBuffer.Upstream {

    final List<Integer> requests = new CopyOnWriteArrayList<>();
    final List<String> cancels = new CopyOnWriteArrayList<>();

    @Override
    public void request(int messages) {
      requests.add(messages);
    }

    @Override
    public void cancel(String reason) {
      cancels.add(reason);
    }

    int requested() {
      return requests.stream().mapToInt(Integer::intValue).sum();
    }
  }
}
