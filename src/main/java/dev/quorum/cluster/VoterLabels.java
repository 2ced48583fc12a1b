package dev.quorum.cluster;

import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.model.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pure: which member pods must gain or lose the voter label the client Service selects by, from etcd's member list.
 * A pod is a voter's while etcd lists its member as a started, voting member; a learner's pod loses the label (its
 * member refuses clients' requests until promoted). Without a reading nothing changes: a label is never taken away
 * because etcd could not be asked.
 */
final class VoterLabels {

  /** A pod whose label must change: to voter, or away from it. */
  record Change(Pod pod, boolean voter) {
    Optional<String> value() {
      return voter ? Optional.of(Labels.VOTER_VALUE) : Optional.empty();
    }
  }

  private VoterLabels() {}

  static List<Change> changes(List<Pod> pods, ClusterView reading) {
    Set<String> voters = reading.members().stream().filter(MemberView::started).filter(m -> !m.learner())
        .map(MemberView::name).collect(Collectors.toSet());
    return pods.stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .map(p -> new Change(p, voters.contains(p.getMetadata().getName())))
        .filter(change -> change.voter() != labelled(change.pod()))
        .toList();
  }

  static boolean labelled(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels != null && Labels.VOTER_VALUE.equals(labels.get(Labels.VOTER));
  }
}
