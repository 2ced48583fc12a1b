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

  private UpgradeGuard() {}

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
