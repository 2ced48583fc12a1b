package dev.quorum.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ClusterHealthMetricsTest {

  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final ClusterHealthMetrics metrics = new ClusterHealthMetrics(registry);

  @Test
  void aClustersHealthIsServedUnderPrometheusNamesWithItsNamespaceAndName() {
    metrics.record(health("ns", "a", "uid-a", Optional.of("a-0"), members("a", 3)));

    String scrape = scrape();
    assertThat(scrape)
        .contains("quorum_cluster_members_desired{cluster=\"a\",namespace=\"ns\"} 3.0")
        .contains("quorum_cluster_members_ready{cluster=\"a\",namespace=\"ns\"} 3.0")
        .contains("quorum_cluster_voters{cluster=\"a\",namespace=\"ns\"} 3.0")
        .contains("quorum_cluster_learners{cluster=\"a\",namespace=\"ns\"} 0.0")
        .contains("quorum_cluster_fault_tolerance{cluster=\"a\",namespace=\"ns\"} 1.0")
        .contains("quorum_cluster_has_leader{cluster=\"a\",namespace=\"ns\"} 1.0")
        .contains("quorum_cluster_quota_bytes{cluster=\"a\",namespace=\"ns\"} 1.073741824E9")
        .contains("quorum_cluster_alarms{alarm=\"NOSPACE\",cluster=\"a\",namespace=\"ns\"} 0.0")
        .contains("quorum_cluster_alarms{alarm=\"CORRUPT\",cluster=\"a\",namespace=\"ns\"} 0.0")
        .contains("quorum_cluster_leader_changes_total{cluster=\"a\",namespace=\"ns\"} 0.0")
        .contains("quorum_cluster_reconcile_errors_total{cluster=\"a\",namespace=\"ns\"} 0.0")
        .contains("quorum_member_up{cluster=\"a\",member=\"a-1\",namespace=\"ns\"} 1.0")
        .contains("quorum_member_leader{cluster=\"a\",member=\"a-0\",namespace=\"ns\"} 1.0")
        .contains("quorum_member_leader{cluster=\"a\",member=\"a-1\",namespace=\"ns\"} 0.0")
        .contains("quorum_member_learner{cluster=\"a\",member=\"a-2\",namespace=\"ns\"} 0.0")
        .contains("quorum_member_database_size_bytes{cluster=\"a\",member=\"a-2\",namespace=\"ns\"} 4096.0")
        .contains("quorum_member_database_in_use_bytes{cluster=\"a\",member=\"a-2\",namespace=\"ns\"} 1024.0")
        .contains("quorum_member_raft_index_lag{cluster=\"a\",member=\"a-2\",namespace=\"ns\"} 2.0");
  }

  @Test
  void theSeriesFollowTheLastPassAndAValueNobodyCouldReadIsNaN() {
    metrics.record(health("ns", "a", "uid-a", Optional.of("a-0"), members("a", 3)));
    List<ClusterHealth.Member> oneDown = List.of(member("a-0", true, true), member("a-1", true, false),
        new ClusterHealth.Member("a-2", false, false, false, OptionalLong.empty(), OptionalLong.empty(),
            OptionalLong.empty()));

    metrics.record(new ClusterHealth("ns", "a", "uid-a", 3, 2, OptionalInt.empty(), OptionalInt.empty(), 0,
        Optional.empty(), 1L << 30, Map.of("NOSPACE", 1, "CORRUPT", 0), Optional.of("NoSpaceRecovery"),
        Optional.empty(), Optional.empty(), true, oneDown));

    assertThat(gauge("quorum.cluster.members.ready", "a")).isEqualTo(2);
    assertThat(gauge("quorum.cluster.fault.tolerance", "a")).isZero();
    assertThat(gauge("quorum.cluster.has.leader", "a")).isZero();
    assertThat(gauge("quorum.cluster.voters", "a")).isNaN();
    assertThat(registry.get("quorum.cluster.alarms").tags("cluster", "a", "alarm", "NOSPACE").gauge().value())
        .isEqualTo(1);
    assertThat(registry.get("quorum.cluster.operation").tags("cluster", "a", "operation", "NoSpaceRecovery").gauge()
        .value()).isEqualTo(1);
    assertThat(registry.get("quorum.cluster.reconcile.errors").tags("cluster", "a").counter().count()).isEqualTo(1);
    assertThat(registry.get("quorum.member.up").tags("member", "a-2").gauge().value()).isZero();
    assertThat(registry.get("quorum.member.database.size").tags("member", "a-2").gauge().value()).isNaN();
    assertThat(registry.get("quorum.member.raft.index.lag").tags("member", "a-2").gauge().value()).isNaN();
  }

  @Test
  void anOperationThatEndedReadsZeroAndOneSeriesPerTypeIsKept() {
    metrics.record(withOperation(Optional.of("MemberReplacement")));
    metrics.record(withOperation(Optional.empty()));
    metrics.record(withOperation(Optional.of("ScaleUp")));

    assertThat(registry.get("quorum.cluster.operation").tags("operation", "MemberReplacement").gauge().value())
        .isZero();
    assertThat(registry.get("quorum.cluster.operation").tags("operation", "ScaleUp").gauge().value()).isEqualTo(1);
    assertThat(registry.find("quorum.cluster.operation").gauges()).hasSize(2);
  }

  @Test
  void aLeaderChangeIsCountedOnceEvenWithALeaderlessPassBetween() {
    metrics.record(health("ns", "a", "uid-a", Optional.of("a-0"), members("a", 3)));
    metrics.record(health("ns", "a", "uid-a", Optional.of("a-0"), members("a", 3)));
    metrics.record(health("ns", "a", "uid-a", Optional.empty(), members("a", 3)));
    metrics.record(health("ns", "a", "uid-a", Optional.of("a-1"), members("a", 3)));
    metrics.record(health("ns", "a", "uid-a", Optional.empty(), members("a", 3)));
    metrics.record(health("ns", "a", "uid-a", Optional.of("a-1"), members("a", 3)));

    assertThat(registry.get("quorum.cluster.leader.changes").tags("cluster", "a").counter().count()).isEqualTo(1);
  }

  @Test
  void aMemberThatLeftHasNoSeriesAndOneThatJoinedHasItsOwn() {
    metrics.record(health("ns", "a", "uid-a", Optional.of("a-0"), members("a", 3)));

    metrics.record(health("ns", "a", "uid-a", Optional.of("a-0"),
        List.of(member("a-0", true, true), member("a-1", true, false), member("a-3", true, false))));

    assertThat(registry.find("quorum.member.up").tags("member", "a-2").gauges()).isEmpty();
    assertThat(registry.find("quorum.member.database.size").tags("member", "a-2").gauges()).isEmpty();
    assertThat(registry.get("quorum.member.up").tags("member", "a-3").gauge().value()).isEqualTo(1);
    assertThat(registry.find("quorum.member.up").gauges()).hasSize(3);
  }

  @Test
  void aDeletedClusterLosesEverySeriesAndAPassEndingAfterwardsDoesNotBringThemBack() {
    metrics.record(health("ns", "a", "uid-a", Optional.of("a-0"), members("a", 3)));
    metrics.record(health("ns", "b", "uid-b", Optional.of("b-0"), members("b", 3)));

    metrics.forgetCluster("ns", "a", "uid-a");
    metrics.record(health("ns", "a", "uid-a", Optional.of("a-0"), members("a", 3)));

    assertThat(scrape()).doesNotContain("cluster=\"a\"").contains("cluster=\"b\"");
    // created again under the same name: a new cluster, counted from nothing
    metrics.record(health("ns", "a", "uid-a2", Optional.of("a-0"), members("a", 3)));
    assertThat(gauge("quorum.cluster.members.ready", "a")).isEqualTo(3);
  }

  @Test
  void aClusterCreatedAgainUnderItsNameBeforeTheDeletionWasSeenStartsItsCountersAgain() {
    metrics.record(health("ns", "a", "uid-a", Optional.of("a-0"), members("a", 3)));
    metrics.record(health("ns", "a", "uid-a", Optional.of("a-1"), members("a", 3)));

    metrics.record(health("ns", "a", "uid-new", Optional.of("a-2"), members("a", 3)));

    assertThat(registry.get("quorum.cluster.leader.changes").tags("cluster", "a").counter().count()).isZero();
  }

  @Test
  void aDeletionSeenAfterTheNameWasTakenAgainLeavesTheNewClustersSeriesAlone() {
    metrics.record(health("ns", "a", "uid-old", Optional.of("a-0"), members("a", 3)));
    metrics.record(health("ns", "a", "uid-new", Optional.of("a-0"), members("a", 3)));
    metrics.record(health("ns", "a", "uid-new", Optional.of("a-1"), members("a", 3)));

    metrics.forgetCluster("ns", "a", "uid-old");

    assertThat(registry.get("quorum.cluster.leader.changes").tags("cluster", "a").counter().count()).isEqualTo(1);
    assertThat(gauge("quorum.cluster.members.ready", "a")).isEqualTo(3);
    // and a late pass of the old one does not come back
    metrics.record(health("ns", "a", "uid-old", Optional.of("a-2"), members("a", 3)));
    assertThat(registry.get("quorum.cluster.leader.changes").tags("cluster", "a").counter().count()).isEqualTo(1);
  }

  @Test
  void certificateExpiryIsServedForTlsClustersOnly() {
    metrics.record(health("ns", "plain", "uid-p", Optional.of("plain-0"), members("plain", 3)));
    metrics.record(new ClusterHealth("ns", "tls", "uid-t", 3, 3, OptionalInt.of(3), OptionalInt.of(0), 1,
        Optional.of("tls-0"), 1L << 30, Map.of(), Optional.empty(), Optional.of(Instant.ofEpochSecond(2_000_000)),
        Optional.of(Instant.ofEpochSecond(9_000_000)), false, members("tls", 3)));

    assertThat(registry.find("quorum.cluster.certificate.expiry.timestamp").tags("cluster", "plain").gauges())
        .isEmpty();
    assertThat(registry.get("quorum.cluster.certificate.expiry.timestamp").tags("cluster", "tls", "certificate",
        "member").gauge().value()).isEqualTo(2_000_000);
    assertThat(scrape()).contains("quorum_cluster_certificate_expiry_timestamp_seconds{certificate=\"ca\","
        + "cluster=\"tls\",namespace=\"ns\"} 9000000.0");
  }

  @Test
  void seriesGrowLinearlyWithMembers() {
    metrics.record(health("ns", "three", "u3", Optional.of("three-0"), members("three", 3)));
    int three = registry.getMeters().size();
    metrics.record(health("ns", "five", "u5", Optional.of("five-0"), members("five", 5)));
    int threeAndFive = registry.getMeters().size();

    int perMember = (int) registry.find("quorum.member.up").gauges().size();
    assertThat(perMember).isEqualTo(8);
    // a cluster's fixed series plus six per member, the same for every cluster
    assertThat(threeAndFive - three - 5 * 6).isEqualTo(three - 3 * 6);
  }

  private ClusterHealth withOperation(Optional<String> operation) {
    return new ClusterHealth("ns", "a", "uid-a", 3, 3, OptionalInt.of(3), OptionalInt.of(0), 1, Optional.of("a-0"),
        1L << 30, Map.of(), operation, Optional.empty(), Optional.empty(), false, members("a", 3));
  }

  /** The text format as a scrape returns it, without the trailing comma this Prometheus client writes in labels. */
  private String scrape() {
    return registry.scrape().replace(",}", "}");
  }

  private double gauge(String name, String cluster) {
    return registry.get(name).tags("cluster", cluster).gauge().value();
  }

  private static ClusterHealth health(String namespace, String cluster, String uid, Optional<String> leader,
      List<ClusterHealth.Member> members) {
    return new ClusterHealth(namespace, cluster, uid, members.size(), members.size(), OptionalInt.of(members.size()),
        OptionalInt.of(0), (members.size() - 1) / 2, leader, 1L << 30, Map.of("NOSPACE", 0, "CORRUPT", 0),
        Optional.empty(), Optional.empty(), Optional.empty(), false, members);
  }

  private static List<ClusterHealth.Member> members(String cluster, int size) {
    return java.util.stream.IntStream.range(0, size).mapToObj(i -> member(cluster + "-" + i, true, i == 0)).toList();
  }

  private static ClusterHealth.Member member(String name, boolean up, boolean leader) {
    return new ClusterHealth.Member(name, up, leader, false, OptionalLong.of(4096), OptionalLong.of(1024),
        OptionalLong.of(leader ? 0 : 2));
  }
}
