package dev.quorum.membership;

import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.model.EtcdVersion;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Pure: etcd's downgrade API around a roll back to the previous minor release, as etcd's guide goes
 * (etcd.io/docs/v3.6/downgrades/downgrade_3_6). Once every member runs the newer minor, the cluster version and the
 * data format are the newer one's, which the older release cannot open; so before any member is rolled back:
 *
 * <ol>
 *   <li>with every member healthy, the downgrade is validated and enabled for the target minor: the cluster version
 *       goes to it, and each member rewrites its data in the target's format (within seconds);
 *   <li>the roll waits until every member still on the newer release answers with its data in that format;
 *   <li>then the members are rolled one at a time, the leader last, as any version change; etcd ends the downgrade
 *       by itself once every member runs the target.
 * </ol>
 *
 * <p>A downgrade enabled for another minor than the one the members are to run (the spec went back, or a member
 * failed on the older release and the roll went back) is cancelled first. A roll that only undoes a half-done
 * upgrade (some member still on the older minor, or the data still in its format: the cluster version never moved)
 * needs none of this. Only the roll's restarts of running members wait ({@code ClusterPlanner}); a member whose pod is
 * down already is replaced as ever, and if it fails on the older release the change is rolled back.
 */
public final class DowngradePlan {

  /** The release etcd's downgrade API comes with: from an older minor, members cannot be rolled back. */
  public static final EtcdVersion DOWNGRADE_API_SINCE = new EtcdVersion(3, 6, 0);

  /** What the downgrade needs before the roll may go on; each holds the roll this pass. */
  public sealed interface Step {
    String describe();

    /** Validates, then enables etcd's downgrade to {@code line} (major.minor) from {@code from}. */
    record Enable(String line, String from) implements Step {
      @Override
      public String describe() {
        return "enabling etcd's downgrade from " + from + " to " + line + ": the cluster version goes to " + line
            + " and each member rewrites its data in " + line + "'s format before one is rolled back";
      }
    }

    /** Cancels the downgrade enabled for {@code line}, which the members are no longer going to. */
    record Cancel(String line, String target) implements Step {
      @Override
      public String describe() {
        return "cancelling etcd's downgrade to " + line + ": the members are to run " + target;
      }
    }

    /** Waits, for the reason given. */
    record Wait(String reason) implements Step {
      @Override
      public String describe() {
        return reason;
      }
    }
  }

  private DowngradePlan() {}

  /**
   * @param target the version the members are to run ({@code EtcdClusterModel.version()})
   * @return what the downgrade needs first; empty when the roll may go on (or no downgrade is involved)
   */
  public static Optional<Step> next(String target, ClusterView etcd) {
    Optional<EtcdVersion> to = EtcdVersion.parse(target);
    if (to.isEmpty()) {
      return Optional.empty();
    }
    List<MemberView> started = etcd.members().stream().filter(MemberView::started).toList();
    Optional<EtcdVersion> enabled = started.stream().map(MemberView::downgradeTarget).filter(Objects::nonNull)
        .map(EtcdVersion::parse).flatMap(Optional::stream).findFirst();
    if (enabled.isPresent()) {
      if (!enabled.get().line().equals(to.get().line())) {
        return Optional.of(new Step.Cancel(enabled.get().line(), target));
      }
      List<String> notYet = started.stream().filter(m -> newerLine(m, to.get()))
          .filter(m -> !m.reachable() || EtcdVersion.parse(m.storageVersion())
              .filter(v -> v.line().equals(to.get().line())).isEmpty())
          .map(MemberView::name).toList();
      return notYet.isEmpty() ? Optional.empty() : Optional.of(new Step.Wait(String.format("etcd's downgrade to %s"
          + " is enabled; waiting for %s to answer with its data in %s's format before a member is rolled back",
          to.get().line(), String.join(", ", notYet), to.get().line())));
    }
    List<EtcdVersion> running = started.stream().filter(MemberView::reachable)
        .map(m -> EtcdVersion.parse(m.version())).flatMap(Optional::stream).toList();
    boolean newerEverywhere = !running.isEmpty() && running.stream()
        .allMatch(v -> v.minorsAhead(to.get()) == 1 && v.compareTo(DOWNGRADE_API_SINCE) >= 0);
    // the data follows the cluster version, which moves only once every member runs the newer minor: an upgrade
    // that never got that far (and is being rolled back) left the data in the older format, and needs no downgrade
    boolean dataInNewerFormat = started.stream().map(m -> EtcdVersion.parse(m.storageVersion()))
        .flatMap(Optional::stream).anyMatch(v -> v.minorsAhead(to.get()) == 1);
    if (!newerEverywhere || !dataInNewerFormat) {
      return Optional.empty();
    }
    List<String> unhealthy = started.stream().filter(m -> !m.healthy()).map(MemberView::name).toList();
    if (!unhealthy.isEmpty()) {
      return Optional.of(new Step.Wait("etcd's downgrade to " + to.get().line() + " is enabled only while every"
          + " member is healthy; not: " + String.join(", ", unhealthy)));
    }
    return Optional.of(new Step.Enable(to.get().line(), running.get(0).line()));
  }

  private static boolean newerLine(MemberView member, EtcdVersion target) {
    return EtcdVersion.parse(member.version()).map(v -> v.minorsAhead(target) > 0).orElse(!member.reachable());
  }
}
