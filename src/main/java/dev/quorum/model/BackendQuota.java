package dev.quorum.model;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Optional;

/**
 * The size etcd lets a member's database reach before it raises NOSPACE (--quota-backend-bytes): the one the spec
 * sets, else one that fits the member's volume. etcd's own default (2 GiB) knows nothing of the volume: on a smaller
 * one the disk fills first, and a member whose disk is full stops, where NOSPACE only stops writes and can be undone.
 *
 * <p>From the volume: half of what it holds beyond etcd's write-ahead log, since a defragmentation writes the data
 * again beside the database file before it drops the old one; at most etcd's practical maximum.
 */
public final class BackendQuota {

  private static final long MIB = 1024L * 1024;
  /** etcd's own default when the flag is not given. */
  public static final long ETCD_DEFAULT_BYTES = 2048 * MIB;
  /** etcd's practical maximum: larger databases make snapshots, restores and defragmentation slow. */
  public static final long MAX_BYTES = 8192 * MIB;
  /** etcd keeps up to five 64 MiB write-ahead log files and a few snapshots beside the database; half a small volume. */
  static final long LOG_RESERVE_BYTES = 512 * MIB;

  private BackendQuota() {}

  /** The quota the members run with. */
  public static long bytes(EtcdCluster cluster) {
    return flagValue(cluster).orElse(ETCD_DEFAULT_BYTES);
  }

  /**
   * The value of the members' --quota-backend-bytes: the spec's, else one from the size every member's volume has
   * ({@link Annotations#VOLUME_SIZE}, once recorded; the claims' size in the spec before); empty (etcd's default)
   * without claims whose size the operator knows (ephemeral or static pod members).
   */
  public static Optional<Long> flagValue(EtcdCluster cluster) {
    EtcdClusterSpec spec = cluster.getSpec();
    Optional<Long> set = Optional.ofNullable(spec.getEtcd()).map(e -> e.getQuotaBackendBytes()).filter(q -> q > 0);
    if (set.isPresent() || spec.getStorage().isEphemeral() || spec.staticPods()) {
      return set;
    }
    Optional<Long> recorded = Optional.ofNullable(cluster.getMetadata().getAnnotations())
        .map(a -> a.get(Annotations.VOLUME_SIZE)).flatMap(BackendQuota::volumeBytes);
    return recorded.or(() -> volumeBytes(spec.getStorage().getSize())).map(BackendQuota::fromVolume);
  }

  static long fromVolume(long volumeBytes) {
    long reserve = Math.min(LOG_RESERVE_BYTES, volumeBytes / 2);
    return Math.min(MAX_BYTES, (volumeBytes - reserve) / 2);
  }

  /** A size as Kubernetes writes it (1Gi, 500M, 1073741824); empty when it does not parse. */
  public static Optional<Long> volumeBytes(String size) {
    try {
      return Optional.of(Quantity.getAmountInBytes(new Quantity(size)).longValueExact()).filter(b -> b > 0);
    } catch (RuntimeException e) {
      return Optional.empty(); // admission refuses a size that does not parse; etcd's default meanwhile
    }
  }
}
