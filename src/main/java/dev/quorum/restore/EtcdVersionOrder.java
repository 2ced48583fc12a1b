package dev.quorum.restore;

/** Compares etcd releases by major and minor version, the level at which etcd's data format changes. */
final class EtcdVersionOrder {

  private EtcdVersionOrder() {}

  /** Whether {@code a} is a newer minor release than {@code b} (3.6.x against 3.5.y); false when either is unreadable. */
  static boolean newerMinor(String a, String b) {
    int[] x = majorMinor(a);
    int[] y = majorMinor(b);
    if (x == null || y == null) {
      return false;
    }
    return x[0] != y[0] ? x[0] > y[0] : x[1] > y[1];
  }

  private static int[] majorMinor(String version) {
    String[] parts = version.strip().replaceFirst("^v", "").split("\\.");
    try {
      return parts.length < 2 ? null : new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
