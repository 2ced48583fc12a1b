package dev.quorum.cluster;

import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/** Compares etcd versions such as 3.5.17 and 3.6.16 numerically. */
final class EtcdVersions {

  static final Comparator<String> ORDER = Comparator.comparing(EtcdVersions::parts, Arrays::compare);

  private EtcdVersions() {}

  /** The lowest version: during an upgrade the cluster only guarantees what its oldest member speaks. */
  static Optional<String> lowest(Collection<String> versions) {
    return versions.stream().filter(Objects::nonNull).filter(v -> !v.isBlank()).min(ORDER);
  }

  private static int[] parts(String version) {
    return Arrays.stream(version.replaceFirst("^v", "").split("[.-]"))
        .limit(3)
        .mapToInt(p -> {
          try {
            return Integer.parseInt(p);
          } catch (NumberFormatException e) {
            return 0;
          }
        })
        .toArray();
  }
}
