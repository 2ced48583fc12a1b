package dev.quorum.etcd;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.SnapshotResponse;
import io.etcd.jetcd.api.StatusRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * One member's snapshot (etcd's Maintenance/Snapshot RPC) as a blocking {@link InputStream} with bounded memory,
 * for a worker thread that uploads it. Open it with {@link #open}, read it to the end, close it: closing early
 * cancels the RPC.
 *
 * <p>Why not jetcd's {@code Maintenance.snapshot}: the {@code OutputStream} variant writes on jetcd's Vert.x
 * event loop (a blocking stream would stall every call of the client, a non-blocking one buffers the whole
 * snapshot); the {@code StreamObserver} variant pushes each message with no way to say "not now", because the
 * Vert.x {@code ReadStream} behind both ({@code io.vertx.grpc.stub.StreamObserverReadStream}) ignores
 * {@code pause()} and {@code fetch()}; and every jetcd call carries the request timeout of
 * {@link DeadlineInterceptor}. So the stream makes the call itself, over a grpc-netty channel of its own to
 * that one member (the transport jetcd already brings), asking for messages with {@link ClientCall#request}
 * only as the reader frees room ({@link SnapshotBuffer}): a paused stream stops reading from HTTP/2, whose flow
 * control then holds the member back. The transport's callbacks only hand messages over, so they run on its
 * event loop and never block it.
 *
 * <p>Memory: at most {@link SnapshotOptions#maxBufferedBytes()} held for the reader, plus the transport's fixed
 * HTTP/2 window of {@value #TRANSPORT_WINDOW_BYTES} bytes.
 *
 * <p>The bytes are exactly what etcd sends, as {@code etcdctl snapshot save} writes them: the bbolt database,
 * then the SHA-256 of it (the last 32 bytes), which {@code etcdutl snapshot restore} checks. This stream checks
 * it too, on the reader's thread: when it does not match, or the stream ends short, the last read throws
 * instead of returning -1, so an incomplete snapshot is never taken for a complete one.
 */
public final class SnapshotStream extends InputStream {

  private static final Logger LOG = Logger.getLogger(SnapshotStream.class);

  /** Size of the checksum etcd appends to the database. */
  public static final int SHA256_BYTES = 32;
  static final int TRANSPORT_WINDOW_BYTES = 1024 * 1024;
  // what the catch-up read asks for: only its linearizability matters
  private static final ByteString ANY_KEY = ByteString.copyFrom(new byte[] {0});
  // etcd accepts pings every 5 s or more (--grpc-keepalive-min-time); these notice a dead member in under a minute
  private static final Duration KEEPALIVE_TIME = Duration.ofSeconds(30);
  private static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);

  private final String endpoint;
  private final SnapshotOptions options;
  private final Duration requestTimeout;
  private final MaintenanceStatus memberStatus;
  private final SnapshotBuffer buffer;
  // null in tests that drive the stream by hand
  private final ManagedChannel channel;
  private final long startNanos = System.nanoTime();
  // a safety net only: the call's deadline ends the stream first
  private final long readDeadlineNanos;
  // completed by the first message: the size of the database it announces
  private final CompletableFuture<Long> databaseBytes = new CompletableFuture<>();
  private final MessageDigest sha256;

  // reader's state: one reading thread
  private ByteString current = ByteString.EMPTY;
  private int position;
  private long bytesRead;
  private long digestedBytes;
  private ByteString trailer = ByteString.EMPTY;
  private boolean atEnd;
  private IOException endFailure;
  private volatile boolean closed;

  SnapshotStream(String endpoint, SnapshotOptions options, Duration requestTimeout, MaintenanceStatus memberStatus,
      SnapshotBuffer.Upstream upstream, ManagedChannel channel) {
    this.endpoint = endpoint;
    this.options = options;
    this.requestTimeout = requestTimeout;
    this.memberStatus = memberStatus;
    this.buffer = new SnapshotBuffer(options.maxBufferedMessages(), upstream);
    this.channel = channel;
    this.readDeadlineNanos = startNanos + options.timeout().plus(requestTimeout).toNanos();
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /**
   * Asks the member at {@code endpoint} (e.g. http://10.0.0.7:2379) its status, then starts its snapshot; returns
   * once the first bytes arrived, so {@link #size()} is known. Blocks: call it from a worker thread. Fails within
   * the request timeout when the member does not answer; the snapshot then has {@code options.timeout()} in all.
   * TLS when the settings carry an SSL context, as for jetcd's clients.
   */
  public static SnapshotStream open(String endpoint, EtcdClientSettings settings, SnapshotOptions options)
      throws IOException {
    ManagedChannel channel = channelTo(endpoint, settings, options);
    SnapshotStream stream;
    GrpcUpstream upstream;
    try {
      // a member that does not answer fails the attempt within the request timeout
      askStatus(channel, endpoint, settings.requestTimeout());
      // a follower may lag the leader (by minutes of writes under load): the snapshot waits until it has caught up
      awaitCaughtUp(channel, endpoint, options.timeout());
      // before the snapshot starts: the snapshot holds at least this revision
      MaintenanceStatus status = askStatus(channel, endpoint, settings.requestTimeout());
      // the snapshot's own deadline, not the request timeout jetcd's calls get
      upstream = new GrpcUpstream(channel.newCall(MaintenanceGrpc.getSnapshotMethod(),
          CallOptions.DEFAULT.withDeadlineAfter(options.timeout().toNanos(), TimeUnit.NANOSECONDS)));
      stream = new SnapshotStream(endpoint, options, settings.requestTimeout(), status, upstream, channel);
    } catch (IOException | RuntimeException e) {
      channel.shutdownNow();
      throw e;
    }
    try {
      upstream.start(stream.new Listener());
      stream.start();
      stream.awaitFirstBytes();
      LOG.debugf("snapshot of %s (member %s, revision %d) started: %d bytes", endpoint,
          stream.memberStatus.memberIdHex(), stream.memberStatus.revision(), stream.size());
      return stream;
    } catch (IOException | RuntimeException e) {
      stream.close();
      throw e;
    }
  }

  /** The member's status, asked just before the snapshot started. */
  public MaintenanceStatus memberStatus() {
    return memberStatus;
  }

  /** Asks the member its status again, over the snapshot's own connection (e.g. once the snapshot is read). */
  public MaintenanceStatus fetchMemberStatus() throws IOException {
    if (channel == null) {
      throw new IllegalStateException("this snapshot stream has no connection");
    }
    return askStatus(channel, endpoint, requestTimeout);
  }

  public String endpoint() {
    return endpoint;
  }

  /**
   * Total bytes of the snapshot: the database etcd announced in its first message, plus the checksum. Known once
   * {@link #open} returned; -1 before the first message.
   */
  public long size() {
    long database = databaseSize();
    return database < 0 ? -1 : database + SHA256_BYTES;
  }

  /** Bytes handed to the reader so far. */
  public long bytesRead() {
    return bytesRead;
  }

  /** Bytes received from the member so far (read, or held for the reader). */
  public long bytesReceived() {
    return buffer.receivedBytes();
  }

  /** Bytes held for the reader now: the messages queued and the one being read. */
  public long bufferedBytes() {
    return buffer.bufferedBytes();
  }

  /** The most bytes ever held for the reader; never above {@link #maxBufferedBytes()}. */
  public long peakBufferedBytes() {
    return buffer.peakBufferedBytes();
  }

  public long maxBufferedBytes() {
    return options.maxBufferedBytes();
  }

  /** True while every message asked for is held: the RPC is paused until the reader frees one. */
  public boolean isBufferFull() {
    return buffer.heldMessages() >= buffer.capacity();
  }

  /** The RPC ended, completely or not: what is still buffered is all there will be. */
  public boolean isReceiveDone() {
    return buffer.ended();
  }

  /** Why the RPC failed (timeout, member gone...); null while it runs or when it completed. */
  public IOException receiveFailure() {
    return buffer.failure();
  }

  @Override
  public int read() throws IOException {
    if (!fill()) {
      return -1;
    }
    bytesRead++;
    return current.byteAt(position++) & 0xff;
  }

  @Override
  public int read(byte[] bytes, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    if (length == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int count = Math.min(length, current.size() - position);
    current.copyTo(bytes, position, offset, count);
    position += count;
    bytesRead += count;
    return count;
  }

  @Override
  public int available() {
    return closed ? 0 : current.size() - position;
  }

  /** Cancels the RPC unless it completed, frees the buffer and the connection; a reader waiting wakes with an error. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    boolean complete = atEnd && endFailure == null;
    buffer.close("the reader closed the snapshot stream");
    if (channel != null) {
      channel.shutdownNow();
    }
    LOG.debugf("snapshot of %s %s after %d bytes in %d ms (peak buffered %d bytes)", endpoint,
        complete ? "read" : "closed", bytesRead, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        buffer.peakBufferedBytes());
  }

  /** For tests: the stream's own connection is gone. */
  boolean isChannelTerminated() {
    return channel == null || channel.isTerminated();
  }

  /** Grants the RPC its first credits, once it started. */
  void start() {
    buffer.start();
  }

  // ---- the RPC's side: transport event loop, never blocks ----

  void received(SnapshotResponse response) {
    // the first message tells the size: its blob plus what remains of the database
    if (!databaseBytes.isDone()) {
      databaseBytes.complete(response.getBlob().size() + response.getRemainingBytes());
    }
    buffer.offer(response.getBlob());
  }

  void ended(Status status) {
    IOException failure = status.isOk() ? null : failure(status);
    buffer.finish(failure);
    if (!databaseBytes.isDone()) {
      databaseBytes.completeExceptionally(failure != null ? failure
          : new IOException("the snapshot of " + endpoint + " ended before its first byte"));
    }
  }

  private IOException failure(Status status) {
    String why = switch (status.getCode()) {
      case DEADLINE_EXCEEDED -> "did not finish within its timeout of " + options.timeout();
      case CANCELLED -> "was cancelled";
      default -> "failed";
    };
    return new IOException("the snapshot of " + endpoint + " " + why + ": " + status, status.asRuntimeException());
  }

  // ---- the reader's side ----

  private void awaitFirstBytes() throws IOException {
    try {
      databaseBytes.get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new IOException("etcd member " + endpoint + " sent no snapshot data within " + requestTimeout);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while starting the snapshot of " + endpoint);
    }
  }

  /** True when {@code current} has bytes left to read; false at the end, once the checksum matched. */
  private boolean fill() throws IOException {
    if (closed) {
      throw new IOException("the snapshot stream of " + endpoint + " is closed");
    }
    while (position == current.size()) {
      if (endFailure != null) {
        throw endFailure;
      }
      if (atEnd) {
        return false;
      }
      ByteString next = buffer.next(readDeadlineNanos);
      if (next == null) {
        atEnd = true;
        endFailure = verifyEnd();
        continue;
      }
      digest(next);
      current = next;
      position = 0;
    }
    return true;
  }

  /** Feeds the database bytes to the digest and keeps what follows them: the checksum. */
  private void digest(ByteString blob) throws IOException {
    // known: the first message announced it before it was queued
    long database = databaseSize();
    int data = (int) Math.min(blob.size(), database - digestedBytes);
    for (ByteBuffer part : blob.substring(0, data).asReadOnlyByteBufferList()) {
      sha256.update(part);
    }
    digestedBytes += data;
    ByteString rest = blob.substring(data);
    if (trailer.size() + rest.size() > SHA256_BYTES) {
      throw new IOException("the snapshot of " + endpoint + " is longer than the " + size() + " bytes it announced");
    }
    trailer = trailer.concat(rest);
  }

  private IOException verifyEnd() {
    long database = databaseSize();
    if (database < 0) {
      return new IOException("the snapshot of " + endpoint + " ended before its first byte");
    }
    if (digestedBytes < database || trailer.size() < SHA256_BYTES) {
      return new IOException("the snapshot of " + endpoint + " ended after " + (digestedBytes + trailer.size())
          + " of " + size() + " bytes");
    }
    if (!MessageDigest.isEqual(sha256.digest(), trailer.toByteArray())) {
      return new IOException("the snapshot of " + endpoint + " does not match its SHA-256 checksum");
    }
    return null;
  }

  private long databaseSize() {
    return databaseBytes.isDone() && !databaseBytes.isCompletedExceptionally() ? databaseBytes.join() : -1;
  }

  // ---- connection ----

  static ManagedChannel channelTo(String endpoint, EtcdClientSettings settings, SnapshotOptions options) {
    return GrpcChannels.to(endpoint, settings)
        // the callbacks only hand messages to the buffer: run them on the event loop, no thread hop
        .directExecutor()
        .maxInboundMessageSize(options.maxMessageBytes())
        // fixed: auto-tuning would let the transport hold more than this beyond the buffer
        .flowControlWindow(TRANSPORT_WINDOW_BYTES)
        .keepAliveTime(KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .build();
  }

  /**
   * A linearizable read through the member: etcd answers it only once the member has applied all the cluster had
   * committed when it was asked (a follower asks the leader how far that is, then waits), so a snapshot started
   * after it holds every write acknowledged before the backup began, from a follower too.
   */
  private static void awaitCaughtUp(ManagedChannel channel, String endpoint, Duration timeout) throws IOException {
    try {
      KVGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .range(RangeRequest.newBuilder().setKey(ANY_KEY).setCountOnly(true).build());
    } catch (StatusRuntimeException e) {
      throw new IOException("etcd member " + endpoint + " did not catch up with the cluster: " + e.getStatus(), e);
    }
  }

  private static MaintenanceStatus askStatus(ManagedChannel channel, String endpoint, Duration timeout) throws IOException {
    try {
      return MaintenanceStatus.of(endpoint, MaintenanceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .status(StatusRequest.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      throw new IOException("etcd member " + endpoint + " did not answer its status: " + e.getStatus(), e);
    }
  }

  /** Hands the transport's callbacks to the stream. */
  private final class Listener extends ClientCall.Listener<SnapshotResponse> {

    @Override
    public void onMessage(SnapshotResponse response) {
      received(response);
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      ended(status);
    }
  }

  /** The snapshot call. ClientCall is not thread-safe: the reader, a closer and open() take turns. */
  private static final class GrpcUpstream implements SnapshotBuffer.Upstream {

    private final ClientCall<SnapshotRequest, SnapshotResponse> call;

    GrpcUpstream(ClientCall<SnapshotRequest, SnapshotResponse> call) {
      this.call = call;
    }

    synchronized void start(ClientCall.Listener<SnapshotResponse> listener) {
      call.start(listener, new Metadata());
      call.sendMessage(SnapshotRequest.getDefaultInstance());
      call.halfClose();
    }

    @Override
    public synchronized void request(int messages) {
      call.request(messages);
    }

    @Override
    public synchronized void cancel(String reason) {
      call.cancel(reason, null);
    }
  }
}
