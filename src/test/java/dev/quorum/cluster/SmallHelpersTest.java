package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SmallHelpersTest {

  private final EtcdCluster cluster = TestClusters.cluster("demo", 3);

  @Test
  void membersAreReachedOnTheirPodIps() {
    Pod pending = new PodBuilder(TestClusters.pod(cluster, 2, false)).editStatus().withPhase("Pending").endStatus().build();
    Pod ipv6 = new PodBuilder(TestClusters.pod(cluster, 1, true)).editStatus().withPodIP("fd00::1").endStatus().build();

    assertThat(MemberEndpoints.byPodName(List.of(TestClusters.pod(cluster, 0, true), ipv6, pending), "http"))
        .containsExactly(
            java.util.Map.entry("demo-0", "http://127.0.1.1:2379"),
            java.util.Map.entry("demo-1", "http://[fd00::1]:2379"));
  }

  @Test
  void podsMapToTheirClusterByLabel() {
    assertThat(ChildEventSources.clusterOf(TestClusters.pod(cluster, 0, true)))
        .containsExactly(new ResourceID("demo", "default"));
    assertThat(ChildEventSources.clusterOf(new PodBuilder().withNewMetadata().withName("x").endMetadata().build()))
        .isEmpty();
  }

  @Test
  void invalidSpecEventIsRecordedOncePerMessage() {
    EtcdClusterStatus status = new EtcdClusterStatus();
    status.setConditions(List.of(new ConditionBuilder().withType(ConditionTypes.DEGRADED).withStatus("True")
        .withReason(Reasons.INVALID_SPEC).withMessage("size must be odd").build()));

    assertThat(ClusterEvents.alreadyReported(status, "size must be odd")).isTrue();
    assertThat(ClusterEvents.alreadyReported(status, "another problem")).isFalse();
    assertThat(ClusterEvents.alreadyReported(null, "size must be odd")).isFalse();
  }

  @Test
  void invalidSpecEventPointsAtTheCluster() {
    Event event = ClusterEvents.warning(cluster, Reasons.INVALID_SPEC, "bad", Instant.parse("2026-01-01T00:00:00.5Z"));

    assertThat(event.getType()).isEqualTo("Warning");
    assertThat(event.getReason()).isEqualTo("InvalidSpec");
    assertThat(event.getInvolvedObject().getKind()).isEqualTo("EtcdCluster");
    assertThat(event.getInvolvedObject().getUid()).isEqualTo(TestClusters.UID);
    assertThat(event.getMetadata().getGenerateName()).isEqualTo("demo.");
    assertThat(event.getLastTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
  }

  @Test
  void versionsCompareNumerically() {
    assertThat(EtcdVersions.lowest(List.of("3.6.16", "3.5.9", "3.5.21"))).contains("3.5.9");
    assertThat(EtcdVersions.lowest(java.util.Arrays.asList(null, "3.6.2", "3.6.10"))).contains("3.6.2");
    assertThat(EtcdVersions.lowest(List.of())).isEmpty();
  }

  @Test
  void statusChangeIgnoresObjectIdentity() {
    EtcdClusterStatus a = new EtcdClusterStatus();
    a.setReadyMembers(3);
    EtcdClusterStatus b = new EtcdClusterStatus();
    b.setReadyMembers(3);

    assertThat(StatusChange.changed(a, b)).isFalse();
    b.setLeader("demo-1");
    assertThat(StatusChange.changed(a, b)).isTrue();
    assertThat(StatusChange.changed(null, b)).isTrue();
  }

  @Test
  void podOrdinalsComeFromTheirNames() {
    assertThat(PodReadiness.ordinal("demo-12")).isEqualTo(12);
    assertThat(PodReadiness.ordinal("demo")).isEqualTo(-1);
    assertThat(Optional.of(PodReadiness.ready(TestClusters.pod(cluster, 0, true)))).contains(true);
  }
}
