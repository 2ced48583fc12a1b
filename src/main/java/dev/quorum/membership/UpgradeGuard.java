package dev.quorum.membership;

import dev.quorum.model.Annotations;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.EtcdVersion;
import dev.quorum.model.Labels;
import dev.quorum.model.Member;
import dev.quorum.model.PodReadiness;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Pure: watches a version upgrade the roll carries out member by member. A member restarted on the new version
 * that has not become ready within the deadline fails the upgrade; the members then go back to the version they
 * ran before (safe while not every member runs the newer minor: etcd's cluster version, and the data format with
 * it, only moves once all do).
 */
public final class UpgradeGuard {

  /** @param reason what the member's pod says, in words */
  public record Failure(String member, String reason) {}

  /**
   * What the upgrade's notes on the EtcdCluster (annotations, so an operator restarted halfway knows) become this
   * pass; none when they stay as they are.
   */
  public sealed interface Note {
    /** The spec moved on from the version that failed: both notes go, a new attempt starts from what runs now. */
    record Cleared() implements Note {}

    /** Members start running {@code model.version()}: noted with the version they upgrade from. */
    record Started(String from) implements Note {}

    /** Every member runs the new version and is ready. */
    record Completed() implements Note {}

    /** A member did not become ready on the new version in time: the members go back to {@code from}. */
    record RolledBack(String from, Failure failure) implements Note {}
  }

  private UpgradeGuard() {}

  /**
   * The next note of a version change the roll carries out: noted when it starts, cleared once every member runs the
   * new version and is ready, rolled back when a member does not become ready on it within {@code deadline}. After a
   * roll back, the model gives the members their previous version until the spec names another.
   *
   * @param annotations the EtcdCluster's annotations, where the notes are
   */
  public static Optional<Note> next(EtcdClusterModel model, List<Pod> pods, Map<String, String> annotations,
      Duration deadline, Instant now) {
    if (annotations.containsKey(Annotations.UPGRADE_ROLLED_BACK)) {
      return model.rolledBackUpgrade().isEmpty() ? Optional.of(new Note.Cleared()) : Optional.empty();
    }
    String from = annotations.get(Annotations.UPGRADE_FROM);
    if (from == null) {
      return upgradingFrom(model, pods).map(Note.Started::new);
    }
    if (complete(model, pods)) {
      return Optional.of(new Note.Completed());
    }
    return failed(model, pods, deadline, now).map(failure -> new Note.RolledBack(from, failure));
  }

  /** The etcd version each member pod runs, as its annotation says (pods created before it carry none). */
  public static Optional<String> versionOf(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return Optional.ofNullable(annotations == null ? null : annotations.get(Annotations.VERSION));
  }

  /** The lowest version the member pods run other than {@code target}: where an upgrade to it starts from. */
  public static Optional<String> upgradingFrom(EtcdClusterModel model, List<Pod> pods) {
    return EtcdVersion.lowest(pods.stream().map(UpgradeGuard::versionOf).flatMap(Optional::stream)
        .filter(v -> !v.equals(model.version())).toList()).map(EtcdVersion::toString);
  }

  /** Whether every member runs {@code model.version()} and is ready: the upgrade is over. */
  public static boolean complete(EtcdClusterModel model, List<Pod> pods) {
    return model.members().stream().allMatch(m -> pod(pods, m).filter(p -> versionOf(p).filter(
        model.version()::equals).isPresent()).filter(PodReadiness::ready).isPresent());
  }

  /** The first member running the new version whose pod has not become ready within {@code deadline} of its start. */
  public static Optional<Failure> failed(EtcdClusterModel model, List<Pod> pods, Duration deadline, Instant now) {
    for (Member member : model.members()) {
      Optional<Pod> pod = pod(pods, member).filter(p -> p.getMetadata().getDeletionTimestamp() == null)
          .filter(p -> versionOf(p).filter(model.version()::equals).isPresent());
      if (pod.isEmpty() || PodReadiness.ready(pod.get()) || pod.get().getMetadata().getCreationTimestamp() == null) {
        continue;
      }
      Instant created = Instant.parse(pod.get().getMetadata().getCreationTimestamp());
      if (created.plus(deadline).isBefore(now)) {
        return Optional.of(new Failure(member.name(), why(pod.get())));
      }
    }
    return Optional.empty();
  }

  private static Optional<Pod> pod(List<Pod> pods, Member member) {
    return pods.stream().filter(p -> member.name().equals(p.getMetadata().getName())).findFirst();
  }

  /** The etcd container's own account: why it waits, or how it last ended; else that it is not ready. */
  static String why(Pod pod) {
    if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null) {
      for (ContainerStatus status : pod.getStatus().getContainerStatuses()) {
        if (status.getState() != null && status.getState().getWaiting() != null) {
          String message = status.getState().getWaiting().getMessage();
          return status.getState().getWaiting().getReason() + (message == null || message.isBlank() ? ""
              : ": " + message.strip());
        }
        if (status.getLastState() != null && status.getLastState().getTerminated() != null) {
          var ended = status.getLastState().getTerminated();
          return "it exited with code " + ended.getExitCode() + (Objects.toString(ended.getMessage(), "").isBlank()
              ? "" : ": " + ended.getMessage().strip().lines().reduce((a, b) -> b).orElse(""));
        }
      }
    }
    return "its pod is not ready";
  }
}
