package dev.quorum.specs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.AutoCompactionMode;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdTuning;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrap;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.OperatorSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EtcdArgsTest {

  private final EtcdCluster cluster = TestClusters.cluster("demo", 3);

  @Test
  void identifiesTheMemberByItsNameAndStableDnsName() {
    List<String> args = build(1);

    assertThat(args).startsWith(
        "--name=demo-1",
        "--data-dir=/var/lib/etcd/data",
        "--listen-peer-urls=http://0.0.0.0:2380",
        "--listen-client-urls=http://0.0.0.0:2379",
        "--listen-metrics-urls=http://0.0.0.0:2381",
        "--advertise-client-urls=http://demo-1.demo.default.svc.cluster.local:2379",
        "--initial-advertise-peer-urls=http://demo-1.demo.default.svc.cluster.local:2380");
  }

  @Test
  void corruptionChecksAreOnAsEachReleaseNamesThemUnlessTheUserSetsThem() {
    assertThat(EtcdArgs.corruptionCheckArgs("3.6.16", null))
        .containsExactly("--feature-gates=CompactHashCheck=true,InitialCorruptCheck=true");
    assertThat(EtcdArgs.corruptionCheckArgs("3.5.35", null)).containsExactly(
        "--experimental-initial-corrupt-check=true", "--experimental-compact-hash-check-enabled=true");
    EtcdTuning own = new EtcdTuning();
    own.setExtraArgs(Map.of("feature-gates", "InitialCorruptCheck=false"));
    assertThat(EtcdArgs.corruptionCheckArgs("3.6.16", own)).isEmpty();
    assertThat(build(0)).contains("--feature-gates=CompactHashCheck=true,InitialCorruptCheck=true");
  }

  @Test
  void theQuotaComesFromTheVolumeUnlessTheSpecSetsIt() {
    cluster.getSpec().getStorage().setSize("1Gi");
    assertThat(build(0)).contains("--quota-backend-bytes=" + 256 * 1024 * 1024);
    cluster.getSpec().setEtcd(new EtcdTuning());
    cluster.getSpec().getEtcd().setQuotaBackendBytes(4096L);
    assertThat(build(0)).contains("--quota-backend-bytes=4096").filteredOn(a -> a.startsWith("--quota")).hasSize(1);
  }

  @Test
  void shapeLeavesTheBootstrapOut() {
    EtcdClusterModel model = TestClusters.model(cluster);

    assertThat(EtcdArgs.shape(model, TestClusters.member(model, 0)))
        .noneMatch(arg -> arg.startsWith("--initial-cluster"));
  }

  @Test
  void buildAppendsTheMembersBootstrapToItsShape() {
    EtcdClusterModel model = TestClusters.model(cluster);
    Member member = TestClusters.member(model, 0);
    List<String> expected = new ArrayList<>(EtcdArgs.shape(model, member));
    expected.add("--initial-cluster=demo-0=http://demo-0.demo.default.svc.cluster.local:2380,"
        + "demo-1=http://demo-1.demo.default.svc.cluster.local:2380,"
        + "demo-2=http://demo-2.demo.default.svc.cluster.local:2380");
    expected.add("--initial-cluster-state=new");
    expected.add("--initial-cluster-token=demo-6f1c9a2e");

    assertThat(EtcdArgs.build(model, member)).isEqualTo(expected);
  }

  @Test
  void initialClusterListsEveryMemberWithItsDnsName() {
    EtcdClusterModel model = EtcdClusterModel.of(TestClusters.cluster("demo", "prod", TestClusters.UID, 5),
        new OperatorSettings("example.org", "quorum-operator:test"), MemberBootstrapRecords.NONE);

    assertThat(EtcdArgs.build(model, TestClusters.member(model, 3))).contains("--initial-cluster="
        + "demo-0=http://demo-0.demo.prod.svc.example.org:2380,"
        + "demo-1=http://demo-1.demo.prod.svc.example.org:2380,"
        + "demo-2=http://demo-2.demo.prod.svc.example.org:2380,"
        + "demo-3=http://demo-3.demo.prod.svc.example.org:2380,"
        + "demo-4=http://demo-4.demo.prod.svc.example.org:2380");
  }

  @Test
  void aMemberStartsWithItsRecordedBootstrap() {
    MemberBootstrap joining = new MemberBootstrap(MemberBootstrap.State.EXISTING,
        "demo-0=http://demo-0.demo.default.svc.cluster.local:2380,"
            + "demo-1=http://demo-1.demo.default.svc.cluster.local:2380", "demo-6f1c9a2e");
    EtcdClusterModel model = TestClusters.model(cluster,
        new MemberBootstrapRecords(Map.of("demo-1", joining), Map.of()));

    assertThat(EtcdArgs.build(model, TestClusters.member(model, 1))).endsWith(
        "--initial-cluster=" + joining.initialCluster(),
        "--initial-cluster-state=existing",
        "--initial-cluster-token=demo-6f1c9a2e");
    assertThat(EtcdArgs.build(model, TestClusters.member(model, 2))).contains("--initial-cluster-state=new");
  }

  @Test
  void clusterTokenIsUniquePerEtcdClusterObject() {
    EtcdClusterModel first = TestClusters.model(
        TestClusters.cluster("demo", "default", "11111111-aaaa-bbbb-cccc-000000000000", 3));
    EtcdClusterModel recreated = TestClusters.model(
        TestClusters.cluster("demo", "default", "22222222-aaaa-bbbb-cccc-000000000000", 3));

    assertThat(EtcdArgs.build(first, TestClusters.member(first, 0))).contains("--initial-cluster-token=demo-11111111");
    assertThat(EtcdArgs.build(recreated, TestClusters.member(recreated, 0)))
        .contains("--initial-cluster-token=demo-22222222");
  }

  @Test
  void tuningFlagsFollowTheSpec() {
    EtcdTuning etcd = new EtcdTuning();
    etcd.setQuotaBackendBytes(8589934592L);
    etcd.setAutoCompactionMode(AutoCompactionMode.PERIODIC);
    etcd.setAutoCompactionRetention("1h");
    etcd.setHeartbeatIntervalMillis(200);
    etcd.setElectionTimeoutMillis(2000);
    etcd.setSnapshotCount(50000L);
    cluster.getSpec().setEtcd(etcd);

    assertThat(build(0)).contains(
        "--quota-backend-bytes=8589934592",
        "--auto-compaction-mode=periodic",
        "--auto-compaction-retention=1h",
        "--heartbeat-interval=200",
        "--election-timeout=2000",
        "--snapshot-count=50000");
  }

  @Test
  void extraArgsEndTheShapeSortedByName() {
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("max-txn-ops", "256");
    extra.put("log-level", "debug");
    extra.put("experimental-initial-corrupt-check", "true");
    cluster.getSpec().setEtcd(new EtcdTuning());
    cluster.getSpec().getEtcd().setExtraArgs(extra);
    EtcdClusterModel model = TestClusters.model(cluster);

    assertThat(EtcdArgs.shape(model, TestClusters.member(model, 0)))
        .endsWith("--experimental-initial-corrupt-check=true", "--log-level=debug", "--max-txn-ops=256");
  }

  @Test
  void ownedFlagsCannotBeOverriddenThroughExtraArgs() {
    cluster.getSpec().setEtcd(new EtcdTuning());
    cluster.getSpec().getEtcd().setExtraArgs(Map.of("name", "evil", "initial-cluster-state", "existing",
        "initial-cluster", "evil=http://evil:2380", "data-dir", "/tmp", "wal-dir", "/tmp/wal"));

    List<String> args = build(0);

    assertThat(args).filteredOn(a -> a.startsWith("--name=")).containsExactly("--name=demo-0");
    assertThat(args).filteredOn(a -> a.startsWith("--initial-cluster-state="))
        .containsExactly("--initial-cluster-state=new");
    assertThat(args).filteredOn(a -> a.startsWith("--initial-cluster=")).singleElement().asString()
        .doesNotContain("evil");
    assertThat(args).filteredOn(a -> a.startsWith("--data-dir=")).containsExactly("--data-dir=/var/lib/etcd/data");
    assertThat(args).noneMatch(a -> a.startsWith("--wal-dir="));
  }

  @Test
  void sameSpecGivesTheSameArgs() {
    cluster.getSpec().setEtcd(new EtcdTuning());
    cluster.getSpec().getEtcd().setExtraArgs(Map.of("b", "2", "a", "1", "c", "3"));

    assertThat(build(0)).isEqualTo(build(0));
  }

  private List<String> build(int ordinal) {
    EtcdClusterModel model = TestClusters.model(cluster);
    return EtcdArgs.build(model, TestClusters.member(model, ordinal));
  }
}
