package dev.quorum.model;

import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

/**
 * An etcd release such as 3.6.16, compared numerically. etcd's data format and its upgrade path change at the minor
 * version: a cluster moves one minor at a time, and a newer minor's data cannot go back without etcd's downgrade
 * procedure.
 */
public record EtcdVersion(int major, int minor, int patch) implements Comparable<EtcdVersion> {

  /** Reads 3.6.16, v3.6.16 or 3.6.16-rc.0; empty when it is not a version. */
  public static Optional<EtcdVersion> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String[] parts = text.strip().replaceFirst("^v", "").split("[.-]");
    if (parts.length < 2) {
      return Optional.empty();
    }
    try {
      int patch = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
      return Optional.of(new EtcdVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), patch));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The lowest readable version: during an upgrade the cluster only guarantees what its oldest member speaks. */
  public static Optional<EtcdVersion> lowest(Collection<String> versions) {
    return versions.stream().filter(Objects::nonNull).map(EtcdVersion::parse).flatMap(Optional::stream)
        .min(EtcdVersion::compareTo);
  }

  /** Whether this is a newer minor release than {@code other} (3.6.x against 3.5.y); patch releases share a format. */
  public boolean newerMinorThan(EtcdVersion other) {
    return major != other.major ? major > other.major : minor > other.minor;
  }

  /** How many minor releases this is ahead of {@code other} within the same major (negative when behind). */
  public int minorsAhead(EtcdVersion other) {
    return major != other.major ? (major > other.major ? Integer.MAX_VALUE : Integer.MIN_VALUE) : minor - other.minor;
  }

  /** major.minor, as etcd names a release line. */
  public String line() {
    return major + "." + minor;
  }

  @Override
  public int compareTo(EtcdVersion other) {
    int byMajor = Integer.compare(major, other.major);
    if (byMajor != 0) {
      return byMajor;
    }
    int byMinor = Integer.compare(minor, other.minor);
    return byMinor != 0 ? byMinor : Integer.compare(patch, other.patch);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
