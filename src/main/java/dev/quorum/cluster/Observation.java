package dev.quorum.cluster;

import dev.quorum.api.EtcdCluster;
import dev.quorum.etcd.ClusterSnapshot;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything known about one cluster at one reconcile, the input of {@link StatusAggregator}.
 *
 * @param etcd what etcd reported; empty when no member could be reached
 * @param specProblems why the spec is invalid; empty when it is valid
 * @param reconcileError why applying the desired state failed, if it did
 */
public record Observation(
    EtcdCluster cluster,
    Optional<StatefulSet> statefulSet,
    List<Pod> pods,
    Optional<ClusterSnapshot> etcd,
    List<String> specProblems,
    Optional<String> reconcileError,
    String clusterDomain,
    Instant now) {

  /**
   * How many members the cluster runs: the StatefulSet's replicas once it exists. Quorum and fault tolerance
   * are about the members that run, not a size the spec asks for but the operator refused or has not reached.
   */
  public int runningSize() {
    return statefulSet().map(s -> s.getSpec().getReplicas()).orElse(cluster().getSpec().getSize());
  }
}
