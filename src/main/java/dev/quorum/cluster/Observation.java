package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.etcd.ClusterSnapshot;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrapRecords;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything known about one cluster at one reconcile, the input of {@link StatusAggregator}.
 *
 * @param records the members on record; empty before the cluster is first created
 * @param etcd what etcd reported; empty when no member could be reached
 * @param specProblems why the spec is invalid; empty when it is valid
 * @param reconcileError why applying the desired state failed, if it did
 * @param waiting why a change to the members waits, if one does
 */
public record Observation(
    EtcdClusterModel model,
    MemberBootstrapRecords records,
    List<Pod> pods,
    Optional<ClusterSnapshot> etcd,
    List<String> specProblems,
    Optional<String> reconcileError,
    Optional<String> waiting,
    Instant now) {

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
    return MemberRollout.outdated(model, pods, etcd.flatMap(ClusterSnapshot::leaderName)).stream().map(Member::name).toList();
  }

  /** Members without a pod, or whose pod is going away. */
  public List<String> missingMembers() {
    return model.members().stream()
        .filter(m -> pod(m.name()).map(MemberRollout::terminating).orElse(true))
        .map(Member::name)
        .toList();
  }

}
