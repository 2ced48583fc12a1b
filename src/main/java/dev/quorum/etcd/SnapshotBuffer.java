package dev.quorum.etcd;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded hand-off between a gRPC stream, whose callbacks run on a transport thread that must never block,
 * and the thread reading a snapshot, which may be as slow as it likes. Flow control is by credit: the buffer
 * asks upstream for as many messages as it can hold and for one more each time the reader is done with one, so
 * the messages held here (queued, plus the one being read) never exceed the capacity. Upstream asked for
 * nothing more sends nothing more: HTTP/2 flow control then holds the server back.
 */
final class SnapshotBuffer {

  /** The RPC as the buffer sees it; both calls return at once and may come from any thread. */
  interface Upstream {

    void request(int messages);

    void cancel(String reason);
  }

  private final int capacity;
  private final Upstream upstream;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  // all guarded by lock
  private final ArrayDeque<ByteString> queue = new ArrayDeque<>();
  // handed to the reader and not released yet: it still holds memory and a credit
  private ByteString reading;
  private long bufferedBytes;
  private long peakBufferedBytes;
  private long receivedBytes;
  private boolean ended;
  private IOException failure;
  private boolean closed;

  SnapshotBuffer(int capacity, Upstream upstream) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
    }
    this.capacity = capacity;
    this.upstream = upstream;
  }

  /** Grants upstream the first credits; call once, after the RPC started. */
  void start() {
    upstream.request(capacity);
  }

  // ---- producer side: transport threads, never blocks ----

  /** A message from upstream; dropped once the reader closed or the stream failed. */
  void offer(ByteString blob) {
    lock.lock();
    try {
      if (closed || ended) {
        return;
      }
      queue.add(blob);
      receivedBytes += blob.size();
      bufferedBytes += blob.size();
      peakBufferedBytes = Math.max(peakBufferedBytes, bufferedBytes);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Upstream is done: {@code error} null for the end of the stream, else why it broke off. */
  void finish(IOException error) {
    lock.lock();
    try {
      if (ended) {
        return;
      }
      ended = true;
      if (error != null) {
        failure = error;
        // an incomplete snapshot is worth nothing: free it and tell the reader at once
        queue.clear();
        bufferedBytes = reading == null ? 0 : reading.size();
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // ---- consumer side: one reading thread, blocks ----

  /**
   * Releases the message handed out before and waits for the next one, until {@code deadlineNanos}
   * ({@link System#nanoTime()}). Null at the end of the stream.
   */
  ByteString next(long deadlineNanos) throws IOException {
    boolean credit = false;
    lock.lock();
    try {
      if (reading != null) {
        bufferedBytes -= reading.size();
        reading = null;
        credit = !ended && !closed;
      }
      while (true) {
        if (closed) {
          throw new IOException("the snapshot stream is closed");
        }
        if (failure != null) {
          throw failure;
        }
        ByteString head = queue.poll();
        if (head != null) {
          reading = head;
          return head;
        }
        if (ended) {
          return null;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          throw new IOException("no snapshot data before the snapshot's deadline");
        }
        changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for snapshot data");
    } finally {
      lock.unlock();
      // never call out under the lock: upstream may deliver (offer) from this very call
      if (credit) {
        upstream.request(1);
      }
    }
  }

  /** Frees what is held and cancels upstream unless it already ended; wakes a waiting reader. */
  void close(String reason) {
    boolean cancel;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      cancel = !ended;
      queue.clear();
      reading = null;
      bufferedBytes = 0;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (cancel) {
      upstream.cancel(reason);
    }
  }

  int capacity() {
    return capacity;
  }

  /** Messages held: queued plus the one being read. At capacity, upstream has no credit left: it is paused. */
  int heldMessages() {
    lock.lock();
    try {
      return queue.size() + (reading == null ? 0 : 1);
    } finally {
      lock.unlock();
    }
  }

  long bufferedBytes() {
    lock.lock();
    try {
      return bufferedBytes;
    } finally {
      lock.unlock();
    }
  }

  long peakBufferedBytes() {
    lock.lock();
    try {
      return peakBufferedBytes;
    } finally {
      lock.unlock();
    }
  }

  long receivedBytes() {
    lock.lock();
    try {
      return receivedBytes;
    } finally {
      lock.unlock();
    }
  }

  /** Upstream ended, cleanly or not. */
  boolean ended() {
    lock.lock();
    try {
      return ended;
    } finally {
      lock.unlock();
    }
  }

  /** Why upstream broke off; null while it runs or when it ended cleanly. */
  IOException failure() {
    lock.lock();
    try {
      return failure;
    } finally {
      lock.unlock();
    }
  }
}
