package dev.quorum.etcd;

/**
 * A member's database as it answered: the file's size, and how much of it holds data. The difference is free pages a
 * defragmentation gives back to the volume; the file's size is what etcd holds against the quota.
 */
public record DatabaseSize(long bytes, long inUseBytes) {

  /** A member that did not answer. */
  public static final DatabaseSize UNKNOWN = new DatabaseSize(0, 0);

  public boolean known() {
    return bytes > 0;
  }

  /** Free pages a defragmentation would give back. */
  public long reclaimableBytes() {
    return Math.max(0, bytes - inUseBytes);
  }
}
