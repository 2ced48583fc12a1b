package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.etcd.ClusterView;
import dev.quorum.membership.MembershipPlanner;
import dev.quorum.recovery.QuorumLoss;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrapRecords;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything known about one cluster at one reconcile, the input of {@link StatusAggregator}.
 *
 * @param records the members on record; empty before the cluster is first created
 * @param etcd what etcd reported; empty when no member could be reached
 * @param specProblems why the spec is invalid; empty when it is valid
 * @param reconcileError why applying the desired state failed, if it did
 * @param waiting why a change to the members waits, if one does
 * @param restoredInPlaceBy the EtcdRestore that holds the members while it restores them in place, if one does
 * @param membershipStep the membership step this pass took, or that waits, if any
 * @param tlsProblem why the members' certificates cannot be used, if they cannot (nothing is changed then)
 * @param tls the members' certificates, for a TLS cluster whose Secrets were read
 * @param stepRefused the membership step etcd has refused the same way for a while, and how, if it has
 * @param quorumLoss how the voters of a formed cluster stand, when it has members on record
 * @param recovering what the EtcdRecovery holding the members is doing, if one is
 * @param care what this pass did for the members' databases (a NOSPACE recovery's step), if anything
 * @param volumesCannotGrow why the members' volumes cannot grow to storage.size, if they cannot
 */
public record Observation(
    EtcdClusterModel model,
    MemberBootstrapRecords records,
    List<Pod> pods,
    Optional<ClusterView> etcd,
    List<String> specProblems,
    Optional<String> reconcileError,
    Optional<String> waiting,
    Instant now,
    Optional<String> restoredInPlaceBy,
    Optional<MembershipPlanner.Step> membershipStep,
    Optional<String> tlsProblem,
    Optional<TlsCertificates> tls,
    Optional<String> stepRefused,
    Optional<QuorumLoss.Assessment> quorumLoss,
    Optional<String> recovering,
    Optional<DatabaseCare.Outcome> care,
    Optional<String> volumesCannotGrow) {

  public Observation(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      Optional<ClusterView> etcd, List<String> specProblems, Optional<String> reconcileError,
      Optional<String> waiting, Instant now, Optional<String> restoredInPlaceBy,
      Optional<MembershipPlanner.Step> membershipStep, Optional<String> tlsProblem, Optional<TlsCertificates> tls,
      Optional<String> stepRefused, Optional<QuorumLoss.Assessment> quorumLoss, Optional<String> recovering) {
    this(model, records, pods, etcd, specProblems, reconcileError, waiting, now, restoredInPlaceBy, membershipStep,
        tlsProblem, tls, stepRefused, quorumLoss, recovering, Optional.empty(), Optional.empty());
  }

  public Observation(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      Optional<ClusterView> etcd, List<String> specProblems, Optional<String> reconcileError,
      Optional<String> waiting, Instant now, Optional<String> restoredInPlaceBy,
      Optional<MembershipPlanner.Step> membershipStep) {
    this(model, records, pods, etcd, specProblems, reconcileError, waiting, now, restoredInPlaceBy, membershipStep,
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  public Observation(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      Optional<ClusterView> etcd, List<String> specProblems, Optional<String> reconcileError,
      Optional<String> waiting, Instant now) {
    this(model, records, pods, etcd, specProblems, reconcileError, waiting, now, Optional.empty(), Optional.empty());
  }

  public Observation(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      Optional<ClusterView> etcd, List<String> specProblems, Optional<String> reconcileError,
      Optional<String> waiting, Instant now, Optional<String> restoredInPlaceBy) {
    this(model, records, pods, etcd, specProblems, reconcileError, waiting, now, restoredInPlaceBy, Optional.empty());
  }

  public EtcdCluster cluster() {
    return model.resource();
  }

  /**
   * How many members the cluster runs: those on record once it was created. Quorum and fault tolerance are
   * about the members that run, not a size the spec asks for but the operator refused or has not reached.
   */
  public int runningSize() {
    return records.isEmpty() ? model.size() : records.count();
  }

  public Optional<Pod> pod(String name) {
    return pods.stream().filter(p -> name.equals(p.getMetadata().getName())).findFirst();
  }

  /** Members whose pod runs an older spec than the current one, in the order they are replaced. */
  public List<String> outdatedMembers() {
    return MemberRollout.outdated(model, pods, etcd.flatMap(ClusterView::leaderName)).stream().map(Member::name).toList();
  }

  /** Members without a pod, or whose pod is going away. */
  public List<String> missingMembers() {
    return model.members().stream()
        .filter(m -> pod(m.name()).map(MemberRollout::terminating).orElse(true))
        .map(Member::name)
        .toList();
  }

  /**
   * Members whose pod could not prepare its data: an init container (the restore of a snapshot) ended in failure,
   * as {@code member: container: message}, the message being the container's own last words.
   */
  public List<String> initFailures() {
    List<String> failures = new ArrayList<>();
    for (Member member : model.members()) {
      pod(member.name()).filter(p -> p.getStatus() != null).ifPresent(pod -> {
        for (ContainerStatus init : pod.getStatus().getInitContainerStatuses()) {
          // a container waiting to be restarted failed last time; one that runs again or has ended says so itself
          ContainerState state = init.getState();
          boolean waiting = state != null && state.getWaiting() != null;
          failed(waiting ? init.getLastState() : state).or(() -> cannotStart(state)).ifPresent(message ->
              failures.add(member.name() + ": " + init.getName() + ": " + message));
        }
      });
    }
    return failures;
  }

  /** Reasons a container waits that only a change can end (a missing Secret key, an image that cannot be pulled). */
  private static final Set<String> STUCK = Set.of("CreateContainerConfigError", "CreateContainerError",
      "ErrImagePull", "ImagePullBackOff", "InvalidImageName");

  private static Optional<String> cannotStart(ContainerState state) {
    if (state == null || state.getWaiting() == null || !STUCK.contains(state.getWaiting().getReason())) {
      return Optional.empty();
    }
    String message = state.getWaiting().getMessage();
    return Optional.of(state.getWaiting().getReason() + (message == null || message.isBlank() ? "" : ": " + message));
  }

  private static Optional<String> failed(ContainerState state) {
    if (state == null || state.getTerminated() == null || Integer.valueOf(0).equals(state.getTerminated().getExitCode())) {
      return Optional.empty();
    }
    ContainerStateTerminated terminated = state.getTerminated();
    String message = terminated.getMessage() == null || terminated.getMessage().isBlank()
        ? "exited with code " + terminated.getExitCode()
        : terminated.getMessage().strip().lines().reduce((first, last) -> last).orElse("");
    return Optional.of(message);
  }
}
