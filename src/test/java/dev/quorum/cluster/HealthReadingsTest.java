package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.DatabaseSize;
import dev.quorum.etcd.EtcdAlarm;
import dev.quorum.etcd.MemberView;
import dev.quorum.metrics.ClusterHealth;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.MemberBootstrapRecords;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class HealthReadingsTest {

  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

  private final EtcdCluster cluster = TestClusters.cluster("demo", "ns", "uid-1", 3);

  @Test
  void aHealthyClusterReadsAsItsStatusSaysWithEachMembersDatabaseAndRaftLag() {
    ClusterHealth health = read(Optional.of(new ClusterView(1, 0xa0, List.of(
        member(0, true, false, 1000, 40 << 20, 30 << 20),
        member(1, true, false, 997, 41 << 20, 30 << 20),
        member(2, true, true, 990, 42 << 20, 30 << 20)))));

    assertThat(health.namespace()).isEqualTo("ns");
    assertThat(health.cluster()).isEqualTo("demo");
    assertThat(health.uid()).isEqualTo("uid-1");
    assertThat(health.desiredMembers()).isEqualTo(3);
    assertThat(health.voters()).hasValue(2);
    assertThat(health.learners()).hasValue(1);
    assertThat(health.leader()).contains("demo-0");
    assertThat(health.alarms()).containsOnlyKeys("NOSPACE", "CORRUPT").containsValues(0);
    assertThat(health.members()).extracting(ClusterHealth.Member::name).containsExactly("demo-0", "demo-1", "demo-2");
    ClusterHealth.Member learner = health.members().get(2);
    assertThat(learner.up()).isTrue();
    assertThat(learner.learner()).isTrue();
    assertThat(learner.leader()).isFalse();
    assertThat(learner.databaseBytes()).hasValue(42 << 20);
    assertThat(learner.databaseInUseBytes()).hasValue(30 << 20);
    assertThat(learner.raftIndexLag()).hasValue(10);
    assertThat(health.members().get(0).raftIndexLag()).hasValue(0);
    assertThat(health.members().get(0).leader()).isTrue();
  }

  @Test
  void aMemberThatDoesNotAnswerIsDownWithNothingReadOfIt() {
    ClusterHealth health = read(Optional.of(new ClusterView(1, 0xa0, List.of(
        member(0, true, false, 1000, 40 << 20, 30 << 20),
        member(1, true, false, 1000, 40 << 20, 30 << 20),
        member(2, false, false, 0, 0, 0)))));

    ClusterHealth.Member down = health.members().get(2);
    assertThat(down.up()).isFalse();
    assertThat(down.databaseBytes()).isEmpty();
    assertThat(down.databaseInUseBytes()).isEmpty();
    assertThat(down.raftIndexLag()).isEmpty();
    assertThat(health.readyMembers()).isEqualTo(2);
    assertThat(health.faultTolerance()).isZero();
  }

  @Test
  void withNoMemberAnsweringTheVotersAreUnknownAndEveryMemberIsDown() {
    ClusterHealth health = read(Optional.empty());

    assertThat(health.voters()).isEqualTo(OptionalInt.empty());
    assertThat(health.learners()).isEqualTo(OptionalInt.empty());
    assertThat(health.leader()).isEmpty();
    assertThat(health.members()).hasSize(3).allSatisfy(m -> {
      assertThat(m.up()).isFalse();
      assertThat(m.databaseBytes()).isEqualTo(OptionalLong.empty());
    });
  }

  @Test
  void raisedAlarmsAreCountedPerTypeAsTheStatusListsThem() {
    ClusterView view = new ClusterView(1, 0xa0, List.of(member(0, true, false, 5, 1, 1), member(1, true, false, 5, 1, 1),
        member(2, true, false, 5, 1, 1)), Optional.of(List.of(new EtcdAlarm(0xa1, EtcdAlarm.Type.NOSPACE),
        new EtcdAlarm(0xa2, EtcdAlarm.Type.NOSPACE))));

    ClusterHealth health = read(Optional.of(view));

    assertThat(health.alarms()).containsEntry("NOSPACE", 2).containsEntry("CORRUPT", 0);
  }

  @Test
  void aFailedPassIsCounted() {
    EtcdClusterModel model = TestClusters.model(cluster, records());
    Observation failed = new Observation(model, records(), TestClusters.readyPods(model), Optional.empty(), List.of(),
        Optional.of("applying the desired objects failed: boom"), Optional.empty(), NOW);

    assertThat(HealthReadings.of(failed, StatusAggregator.aggregate(failed)).reconcileFailed()).isTrue();
  }

  private ClusterHealth read(Optional<ClusterView> etcd) {
    EtcdClusterModel model = TestClusters.model(cluster, records());
    Observation observation = new Observation(model, records(), TestClusters.readyPods(model), etcd, List.of(),
        Optional.empty(), Optional.empty(), NOW);
    EtcdClusterStatus status = StatusAggregator.aggregate(observation);
    return HealthReadings.of(observation, status);
  }

  private MemberBootstrapRecords records() {
    return TestClusters.foundingRecords(TestClusters.model(cluster));
  }

  private static MemberView member(int ordinal, boolean reachable, boolean learner, long raftIndex, long bytes,
      long inUse) {
    String host = "demo-" + ordinal + ".demo.ns.svc.cluster.local";
    return new MemberView(0xa0 + ordinal, "demo-" + ordinal, List.of("http://" + host + ":2380"),
        List.of("http://" + host + ":2379"), learner, reachable, reachable, reachable ? "3.6.16" : null,
        reachable ? null : "connection refused", reachable ? 100 : 0, raftIndex,
        reachable ? new DatabaseSize(bytes, inUse) : DatabaseSize.UNKNOWN);
  }
}
