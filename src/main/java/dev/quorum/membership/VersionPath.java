package dev.quorum.membership;

import dev.quorum.model.EtcdVersion;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * Pure: whether the members may be rolled to a version from the versions they run now. etcd moves one minor release
 * at a time. Going back is fine while some member still runs the older minor (a half-done upgrade is undone); once
 * every member runs the newer minor (the cluster version then follows, and the data with it), only one minor back,
 * through etcd's downgrade API (3.6 on, {@link DowngradePlan}).
 */
public final class VersionPath {

  /**
   * Where etcd's upgrade guides let an upgrade to the next minor release start: the oldest patch release of each line.
   * 3.5 to 3.6 (etcd.io/docs/v3.6/upgrades/upgrade_3_6): every member on 3.5.26 or later first; older 3.5 patches leave
   * "too many learner members" and zombie members behind in the upgrade.
   */
  static final Map<String, EtcdVersion> MINOR_UPGRADE_STARTS_FROM = Map.of("3.5", new EtcdVersion(3, 5, 26));

  private VersionPath() {}

  /** Why rolling to {@code target} is refused, or empty when it is a supported step (or nothing is known yet). */
  public static Optional<String> refusal(String target, Collection<String> running) {
    Optional<EtcdVersion> to = EtcdVersion.parse(target);
    Optional<EtcdVersion> lowest = EtcdVersion.lowest(running);
    if (to.isEmpty() || lowest.isEmpty()) {
      return Optional.empty();
    }
    int ahead = to.get().minorsAhead(lowest.get());
    if (ahead == -1 && lowest.get().compareTo(DowngradePlan.DOWNGRADE_API_SINCE) >= 0) {
      // through etcd's downgrade API (DowngradePlan), to a patch the cluster can be upgraded from again
      EtcdVersion from = MINOR_UPGRADE_STARTS_FROM.get(to.get().line());
      return from == null || to.get().compareTo(from) >= 0 ? Optional.empty() : Optional.of(String.format(
          "version %s is a downgrade to a %s patch that etcd's %s upgrade guide does not start from: the cluster"
              + " could not be upgraded from it again; set %s or a newer %s patch", target, to.get().line(),
          lowest.get().line(), from, from.line()));
    }
    if (ahead < 0) {
      return Optional.of(String.format("version %s is a downgrade: every member runs %s or newer, so the cluster's"
          + " data is in the %s format, which etcd %s cannot open, and etcd goes back one minor release at a time"
          + " through its downgrade API (from %s on); keep %s or newer, or restore a backup into a new cluster of"
          + " version %s", target, lowest.get(), lowest.get().line(), to.get().line(),
          DowngradePlan.DOWNGRADE_API_SINCE.line(), lowest.get().line(), target));
    }
    if (ahead > 1) {
      String next = lowest.get().major() + "." + (lowest.get().minor() + 1);
      return Optional.of(String.format("version %s skips a minor release: members run %s, and etcd upgrades one"
          + " minor release at a time; set a %s.x version first, then %s", target, lowest.get(), next, target));
    }
    EtcdVersion from = MINOR_UPGRADE_STARTS_FROM.get(lowest.get().line());
    if (ahead == 1 && from != null && lowest.get().compareTo(from) < 0) {
      return Optional.of(String.format("version %s is a minor upgrade that etcd's %s upgrade guide starts only from"
          + " %s or later: members run %s; set version %s (or a newer %s patch) first, then %s", target,
          to.get().line(), from, lowest.get(), from, from.line(), target));
    }
    return Optional.empty();
  }
}
