package dev.quorum.objectstore;

import java.util.OptionalLong;

/**
 * S3's multipart limits and the part size an upload uses. The part size is also the upload's memory: one buffer
 * of that size is allocated per upload and reused for every part.
 */
public final class PartSizing {

  public static final long MIB = 1024 * 1024;
  /** S3 rejects smaller parts (except the last one). */
  public static final long MIN_PART_SIZE = 5 * MIB;
  public static final long DEFAULT_PART_SIZE = 8 * MIB;
  public static final int MAX_PARTS = 10_000;
  public static final long MAX_OBJECT_SIZE = 5L * 1024 * 1024 * MIB;
  /** Enough for 10,000 parts to hold S3's largest object; well under a Java array's limit. */
  public static final long MAX_PART_SIZE = roundUpToMib(ceilDiv(MAX_OBJECT_SIZE, MAX_PARTS));
  /** A snapshot may outgrow the size its member reported a moment before: plan for a quarter more. */
  static final double EXPECTED_SIZE_HEADROOM = 1.25;

  private PartSizing() {
  }

  /**
   * The configured part size, grown (in whole MiB) only when 10,000 parts of it could not hold the expected size
   * plus headroom. Without an expected size the configured size caps the upload at 10,000 parts of it (78 GiB at
   * the default 8 MiB, ten times etcd's largest recommended database).
   */
  public static long partSize(long configuredPartSize, OptionalLong expectedSizeBytes) {
    requireValid(configuredPartSize);
    if (expectedSizeBytes.isEmpty()) {
      return configuredPartSize;
    }
    long expected = expectedSizeBytes.getAsLong();
    if (expected < 0 || expected > MAX_OBJECT_SIZE) {
      throw new IllegalArgumentException("expected size " + expected + " bytes is outside S3's 0.."
          + MAX_OBJECT_SIZE + " bytes");
    }
    long planned = Math.min(MAX_OBJECT_SIZE, (long) Math.ceil(expected * EXPECTED_SIZE_HEADROOM));
    if (ceilDiv(planned, configuredPartSize) <= MAX_PARTS) {
      return configuredPartSize;
    }
    return Math.min(MAX_PART_SIZE, roundUpToMib(ceilDiv(planned, MAX_PARTS)));
  }

  /** The most an upload with parts of {@code partSize} can hold. */
  public static long capacity(long partSize) {
    return Math.min(MAX_OBJECT_SIZE, partSize * MAX_PARTS);
  }

  static void requireValid(long partSize) {
    if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
      throw new IllegalArgumentException("part size " + partSize + " bytes is outside " + MIN_PART_SIZE + ".."
          + MAX_PART_SIZE + " bytes (S3's 5 MiB minimum, 10,000 parts of the maximum make 5 TiB)");
    }
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private static long roundUpToMib(long bytes) {
    return ceilDiv(bytes, MIB) * MIB;
  }
}
