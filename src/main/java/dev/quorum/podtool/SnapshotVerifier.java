package dev.quorum.podtool;

import dev.quorum.operation.ReasonedFailure;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Reads a stored snapshot once, streaming, and proves it is the snapshot it claims to be before anything restores
 * it: the stored bytes' SHA-256 against the expected one (an EtcdBackup's, or the object's metadata), and etcd's own
 * checksum, the SHA-256 of the database that etcd appends to every snapshot it sends. Gzip-compressed objects (as
 * Gzip backups store them) are recognised by their magic bytes and decompressed on the way. Memory stays bounded:
 * one copy buffer, whatever the size.
 */
public final class SnapshotVerifier {

  /** etcd appends a SHA-256 to a snapshot and recognises it by the size: a bolt file is whole pages of 512 bytes. */
  static final int ETCD_HASH_BYTES = 32;
  private static final int ETCD_HASH_ALIGNMENT = 512;
  private static final int BUFFER_BYTES = 64 * 1024;
  /** etcd's database is a bolt file: its first page's header (16 bytes) is followed by this magic number. */
  static final int BOLT_MAGIC = 0xED0CDAED;
  static final int BOLT_MAGIC_OFFSET = 16;

  /** A snapshot that must not be restored, and why, naming the object. */
  public static final class SnapshotRejected extends ReasonedFailure {
    SnapshotRejected(String reason, String message) {
      super(reason, message);
    }
  }

  public static final String CHECKSUM_MISMATCH = "ChecksumMismatch";
  public static final String NOT_A_SNAPSHOT = "NotASnapshot";
  public static final String UNVERIFIABLE = "Unverifiable";

  /**
   * What was verified.
   *
   * @param storedSha256 SHA-256 of the object as stored (compressed, when it is)
   * @param snapshotBytes size of the snapshot as etcd sent it (decompressed, its checksum included)
   * @param etcdChecksum whether etcd's appended checksum was there (and matched); a plain database file has none
   */
  public record Verified(String storedSha256, long storedBytes, long snapshotBytes, boolean compressed,
      boolean etcdChecksum) {}

  private SnapshotVerifier() {}

  /**
   * Copies the snapshot in {@code stored} to {@code sink} (decompressed) and verifies it. The sink has received
   * everything when this returns or throws: on a rejection the caller discards what it wrote.
   *
   * @param what the object's name for messages, e.g. s3://bucket/key
   * @param expectedSha256 the stored object's SHA-256 when known; without it, etcd's checksum must be present
   */
  public static Verified copy(InputStream stored, OutputStream sink, String what, Optional<String> expectedSha256)
      throws IOException, SnapshotRejected {
    DigestInputStream storedDigest = new DigestInputStream(stored, sha256());
    CountingInputStream storedCount = new CountingInputStream(storedDigest);
    BufferedInputStream peekable = new BufferedInputStream(storedCount, BUFFER_BYTES);
    boolean compressed = isGzip(peekable);
    InputStream snapshot = compressed ? new GZIPInputStream(peekable, BUFFER_BYTES) : peekable;
    TrailingChecksum etcd = new TrailingChecksum();
    byte[] buffer = new byte[BUFFER_BYTES];
    byte[] head = new byte[BOLT_MAGIC_OFFSET + 4];
    int headLength = 0;
    try {
      for (int n; (n = snapshot.read(buffer)) >= 0; ) {
        int take = Math.min(n, head.length - headLength);
        System.arraycopy(buffer, 0, head, headLength, take);
        headLength += take;
        etcd.update(buffer, 0, n);
        sink.write(buffer, 0, n);
      }
    } catch (java.util.zip.ZipException e) {
      throw new SnapshotRejected(NOT_A_SNAPSHOT, what + " starts like gzip but does not decompress: " + e.getMessage());
    }
    sink.flush();
    if (compressed && peekable.read() >= 0) {
      // never a snapshot cut short: what the decompressor did not read is refused, not skipped
      throw new SnapshotRejected(NOT_A_SNAPSHOT, what + " has bytes after the end of its gzip stream");
    }
    String actual = HexFormat.of().formatHex(storedDigest.getMessageDigest().digest());
    if (expectedSha256.isPresent() && !expectedSha256.get().equalsIgnoreCase(actual)) {
      throw new SnapshotRejected(CHECKSUM_MISMATCH, what + " has SHA-256 " + actual + ", but " + expectedSha256.get()
          + " was expected: the object is not the snapshot that was backed up (damaged or replaced); nothing is"
          + " restored from it");
    }
    long size = etcd.count();
    boolean hasEtcdChecksum = size % ETCD_HASH_ALIGNMENT == ETCD_HASH_BYTES;
    if (hasEtcdChecksum && !etcd.matches()) {
      throw new SnapshotRejected(CHECKSUM_MISMATCH, what + " fails etcd's own snapshot checksum (the SHA-256 etcd"
          + " appended to the database does not match it): the snapshot is damaged; nothing is restored from it");
    }
    if (!hasEtcdChecksum && expectedSha256.isEmpty()) {
      throw new SnapshotRejected(UNVERIFIABLE, what + " carries no etcd snapshot checksum and no SHA-256 is known"
          + " for it (none given, none in the object's metadata): give the expected sha256 to restore it");
    }
    if (size < ETCD_HASH_ALIGNMENT) {
      throw new SnapshotRejected(NOT_A_SNAPSHOT, what + " holds " + size + " bytes: too small to be an etcd snapshot");
    }
    if (headLength < head.length || littleEndianInt(head, BOLT_MAGIC_OFFSET) != BOLT_MAGIC) {
      throw new SnapshotRejected(NOT_A_SNAPSHOT, what + " is not an etcd database (no bolt file header)");
    }
    return new Verified(actual, storedCount.count, size, compressed, hasEtcdChecksum);
  }

  /** Verifies without keeping the snapshot: what the operator does before it creates or stops anything. */
  public static Verified verify(InputStream stored, String what, Optional<String> expectedSha256)
      throws IOException, SnapshotRejected {
    return copy(stored, OutputStream.nullOutputStream(), what, expectedSha256);
  }

  private static int littleEndianInt(byte[] bytes, int offset) {
    return (bytes[offset] & 0xff) | (bytes[offset + 1] & 0xff) << 8 | (bytes[offset + 2] & 0xff) << 16
        | (bytes[offset + 3] & 0xff) << 24;
  }

  private static boolean isGzip(BufferedInputStream in) throws IOException {
    in.mark(2);
    int first = in.read();
    int second = in.read();
    in.reset();
    return first == 0x1f && second == 0x8b;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** SHA-256 of everything but the last 32 bytes seen, and those 32 bytes: etcd's appended checksum. */
  static final class TrailingChecksum {
    private final MessageDigest digest = sha256();
    private final byte[] tail = new byte[ETCD_HASH_BYTES];
    private int tailLength;
    private long count;

    void update(byte[] bytes, int offset, int length) {
      count += length;
      if (length >= ETCD_HASH_BYTES) {
        digest.update(tail, 0, tailLength);
        digest.update(bytes, offset, length - ETCD_HASH_BYTES);
        System.arraycopy(bytes, offset + length - ETCD_HASH_BYTES, tail, 0, ETCD_HASH_BYTES);
        tailLength = ETCD_HASH_BYTES;
        return;
      }
      byte[] joined = Arrays.copyOf(tail, tailLength + length);
      System.arraycopy(bytes, offset, joined, tailLength, length);
      int release = Math.max(0, joined.length - ETCD_HASH_BYTES);
      digest.update(joined, 0, release);
      tailLength = joined.length - release;
      System.arraycopy(joined, release, tail, 0, tailLength);
    }

    long count() {
      return count;
    }

    boolean matches() {
      return tailLength == ETCD_HASH_BYTES && MessageDigest.isEqual(digest.digest(), tail);
    }
  }

  private static final class CountingInputStream extends java.io.FilterInputStream {
    long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
      int n = super.read(bytes, offset, length);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
