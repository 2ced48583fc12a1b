package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

class VoterLabelsTest {

  private final EtcdClusterModel model = TestClusters.model(TestClusters.cluster("demo", 3));

  @Test
  void votersArePutInTheClientServiceAndALearnerIsTakenOut() {
    List<Pod> pods = TestClusters.readyPods(model);
    label(pods.get(0), true); // was a voter: now a learner again (replaced)
    label(pods.get(1), true);
    label(pods.get(2), false); // joined as a learner, promoted since

    List<VoterLabels.Change> changes = VoterLabels.changes(pods, new ClusterView(1, 2, List.of(
        member(0, true), member(1, false), member(2, false))));

    assertThat(changes).extracting(c -> c.pod().getMetadata().getName(), VoterLabels.Change::voter)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("demo-0", false),
            org.assertj.core.groups.Tuple.tuple("demo-2", true));
  }

  @Test
  void aMemberEtcdDoesNotListOrHasNotStartedIsNoVoter() {
    List<Pod> pods = TestClusters.readyPods(model);
    pods.forEach(p -> label(p, true));
    MemberView unstarted = new MemberView(9, "", List.of("http://demo-2.demo.default.svc.cluster.local:2380"),
        List.of(), false, false, false, null, "not started");

    assertThat(VoterLabels.changes(pods, new ClusterView(1, 1, List.of(member(0, false), unstarted))))
        .extracting(c -> c.pod().getMetadata().getName()).containsExactly("demo-1", "demo-2");
  }

  private static void label(Pod pod, boolean voter) {
    if (voter) {
      pod.getMetadata().getLabels().put(Labels.VOTER, Labels.VOTER_VALUE);
    } else {
      pod.getMetadata().getLabels().remove(Labels.VOTER);
    }
  }

  private static MemberView member(int ordinal, boolean learner) {
    String host = "demo-" + ordinal + ".demo.default.svc.cluster.local";
    return new MemberView(ordinal + 1, "demo-" + ordinal, List.of("http://" + host + ":2380"),
        List.of("http://" + host + ":2379"), learner, true, true, "3.6.16", null);
  }
}
