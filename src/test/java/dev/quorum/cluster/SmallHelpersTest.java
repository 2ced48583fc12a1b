package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.PodReadiness;
import dev.quorum.operation.StatusUpdates;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmallHelpersTest {

  private final EtcdClusterModel model = TestClusters.model(TestClusters.cluster("demo", 3));

  @Test
  void runningMembersAreReachedAtTheirDnsNames() {
    Pod pending = new PodBuilder(TestClusters.pod(model, 2, false)).editStatus().withPhase("Pending").endStatus()
        .build();
    Pod startingUp = TestClusters.pod(model, 1, false);
    Pod stranger = new PodBuilder(TestClusters.pod(model, 0, true)).editMetadata().withName("other-0").endMetadata()
        .build();

    assertThat(ClusterViewSource.reachableEndpoints(model, List.of(TestClusters.pod(model, 0, true), startingUp,
        pending, stranger)))
        .containsExactly(
            Map.entry("demo-0", "http://demo-0.demo.default.svc.cluster.local:2379"),
            Map.entry("demo-1", "http://demo-1.demo.default.svc.cluster.local:2379"));
  }

  @Test
  void aMemberWhosePodIsGoingAwayIsNotAsked() {
    List<Pod> pods = TestClusters.readyPods(model);
    TestClusters.terminating(pods.get(0));

    assertThat(ClusterViewSource.reachableEndpoints(model, pods)).containsOnlyKeys("demo-1", "demo-2");
    assertThat(ClusterViewSource.reachableEndpoints(model, List.of())).isEmpty();
  }

  @Test
  void childrenMapToTheirClusterByLabel() {
    assertThat(ChildEventSources.clusterOf(TestClusters.pod(model, 0, true)))
        .containsExactly(new ResourceID("demo", "default"));
    assertThat(ChildEventSources.clusterOf(TestClusters.claim(model, 0)))
        .as("a retained claim has no owner, only its label").containsExactly(new ResourceID("demo", "default"));
    assertThat(ChildEventSources.clusterOf(new PodBuilder().withNewMetadata().withName("x").endMetadata().build()))
        .isEmpty();
  }

  @Test
  void invalidSpecEventIsRecordedOncePerMessage() {
    EtcdClusterStatus status = new EtcdClusterStatus();
    status.setConditions(List.of(new ConditionBuilder().withType(ConditionTypes.DEGRADED).withStatus("True")
        .withReason(Reasons.INVALID_SPEC).withMessage("size must be odd").build()));

    assertThat(ClusterEvents.alreadyReported(status, Reasons.INVALID_SPEC, "size must be odd")).isTrue();
    assertThat(ClusterEvents.alreadyReported(status, Reasons.INVALID_SPEC, "another problem")).isFalse();
    assertThat(ClusterEvents.alreadyReported(null, Reasons.INVALID_SPEC, "size must be odd")).isFalse();
  }

  @Test
  void eventsPointAtTheCluster() {
    Event event = dev.quorum.events.Events.event(model.resource(), "Warning", Reasons.INVALID_SPEC, "bad",
        Instant.parse("2026-01-01T00:00:00.5Z"));

    assertThat(event.getType()).isEqualTo("Warning");
    assertThat(event.getReason()).isEqualTo("InvalidSpec");
    assertThat(event.getMessage()).isEqualTo("bad");
    assertThat(event.getInvolvedObject().getKind()).isEqualTo("EtcdCluster");
    assertThat(event.getInvolvedObject().getName()).isEqualTo("demo");
    assertThat(event.getInvolvedObject().getUid()).isEqualTo(TestClusters.UID);
    assertThat(event.getMetadata().getGenerateName()).isEqualTo("demo.");
    assertThat(event.getMetadata().getNamespace()).isEqualTo("default");
    assertThat(event.getFirstTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(event.getLastTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(event.getSource().getComponent()).isEqualTo("quorum");
  }

  @Test
  void statusChangeIgnoresObjectIdentity() {
    EtcdClusterStatus a = new EtcdClusterStatus();
    a.setReadyMembers(3);
    EtcdClusterStatus b = new EtcdClusterStatus();
    b.setReadyMembers(3);

    assertThat(StatusUpdates.changed(a, b)).isFalse();
    b.setLeader("demo-1");
    assertThat(StatusUpdates.changed(a, b)).isTrue();
    assertThat(StatusUpdates.changed(null, b)).isTrue();
  }

  @Test
  void podOrdinalsComeFromTheirNames() {
    assertThat(PodReadiness.ordinal("demo-12")).isEqualTo(12);
    assertThat(PodReadiness.ordinal("demo")).isEqualTo(-1);
    assertThat(PodReadiness.ordinal("demo-x")).isEqualTo(-1);
  }

  @Test
  void aPodIsReadyOnlyWhileTheKubeletSaysSoAndItIsNotGoingAway() {
    assertThat(PodReadiness.ready(TestClusters.pod(model, 0, true))).isTrue();
    assertThat(PodReadiness.ready(TestClusters.pod(model, 0, false))).isFalse();
    assertThat(PodReadiness.ready(TestClusters.terminating(TestClusters.pod(model, 0, true)))).isFalse();
    assertThat(PodReadiness.ready(TestClusters.ended(TestClusters.pod(model, 0, true), "Failed", "Evicted"))).isFalse();
  }
}
