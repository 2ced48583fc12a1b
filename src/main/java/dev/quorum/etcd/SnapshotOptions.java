package dev.quorum.etcd;

import dev.quorum.config.QuorumConfig;
import java.time.Duration;

/**
 * How a {@link SnapshotStream} reads: its own overall timeout (a multi-GiB snapshot takes minutes, far beyond the
 * request timeout of ordinary calls) and the bound on what it buffers for a slow reader.
 *
 * @param timeout the whole snapshot, from the first request to the last byte, slow reader included
 * @param maxBufferedMessages messages held at once (queued plus the one being read)
 * @param maxMessageBytes largest message accepted; etcd sends 32 KiB blobs, so this only guards the bound
 */
public record SnapshotOptions(Duration timeout, int maxBufferedMessages, int maxMessageBytes) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);
  public static final int DEFAULT_MAX_BUFFERED_MESSAGES = 4;
  // 8 times what etcd sends per message, so 4 messages stay within 1 MiB
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024;

  public SnapshotOptions {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("a snapshot needs a positive timeout, not " + timeout);
    }
    if (maxBufferedMessages < 1) {
      throw new IllegalArgumentException("a snapshot must buffer at least one message, not " + maxBufferedMessages);
    }
    if (maxMessageBytes < 1024) {
      throw new IllegalArgumentException("messages of " + maxMessageBytes + " bytes cannot carry a snapshot");
    }
  }

  public static SnapshotOptions withTimeout(Duration timeout) {
    return new SnapshotOptions(timeout, DEFAULT_MAX_BUFFERED_MESSAGES, DEFAULT_MAX_MESSAGE_BYTES);
  }

  public static SnapshotOptions from(QuorumConfig config) {
    return withTimeout(config.etcd().snapshotTimeout());
  }

  /** What the stream may hold at most for its reader: the memory bound of one snapshot, transport aside. */
  public long maxBufferedBytes() {
    return (long) maxBufferedMessages * maxMessageBytes;
  }
}
