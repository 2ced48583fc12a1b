package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.v1alpha1.AutoCompactionMode;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdTuning;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EtcdArgsTest {

  @Test
  void identifiesTheMemberByItsPodNameAndStableDnsName() {
    List<String> args = EtcdArgs.build(TestClusters.cluster("demo", 3), OperatorDefaults.STANDARD);

    assertThat(args).startsWith(
        "--name=$(POD_NAME)",
        "--data-dir=/var/lib/etcd/data",
        "--listen-peer-urls=http://0.0.0.0:2380",
        "--listen-client-urls=http://0.0.0.0:2379",
        "--listen-metrics-urls=http://0.0.0.0:2381",
        "--advertise-client-urls=http://$(POD_NAME).demo.default.svc.cluster.local:2379",
        "--initial-advertise-peer-urls=http://$(POD_NAME).demo.default.svc.cluster.local:2380");
    assertThat(args).contains("--initial-cluster-state=new");
  }

  @Test
  void initialClusterListsEveryMemberWithItsDnsName() {
    EtcdCluster cluster = TestClusters.cluster("demo", "prod", TestClusters.UID, 5);

    List<String> args = EtcdArgs.build(cluster, new OperatorDefaults("example.org", "3.6.16", "quay.io/coreos/etcd"));

    assertThat(args).contains("--initial-cluster="
        + "demo-0=http://demo-0.demo.prod.svc.example.org:2380,"
        + "demo-1=http://demo-1.demo.prod.svc.example.org:2380,"
        + "demo-2=http://demo-2.demo.prod.svc.example.org:2380,"
        + "demo-3=http://demo-3.demo.prod.svc.example.org:2380,"
        + "demo-4=http://demo-4.demo.prod.svc.example.org:2380");
  }

  @Test
  void clusterTokenIsUniquePerEtcdClusterObject() {
    EtcdCluster first = TestClusters.cluster("demo", "default", "11111111-aaaa-bbbb-cccc-000000000000", 3);
    EtcdCluster recreated = TestClusters.cluster("demo", "default", "22222222-aaaa-bbbb-cccc-000000000000", 3);

    assertThat(EtcdArgs.build(first, OperatorDefaults.STANDARD)).contains("--initial-cluster-token=demo-11111111");
    assertThat(EtcdArgs.build(recreated, OperatorDefaults.STANDARD)).contains("--initial-cluster-token=demo-22222222");
  }

  @Test
  void tuningFlagsFollowTheSpec() {
    EtcdCluster cluster = TestClusters.cluster("demo", 3);
    EtcdTuning etcd = new EtcdTuning();
    etcd.setQuotaBackendBytes(8589934592L);
    etcd.setAutoCompactionMode(AutoCompactionMode.PERIODIC);
    etcd.setAutoCompactionRetention("1h");
    etcd.setHeartbeatIntervalMillis(200);
    etcd.setElectionTimeoutMillis(2000);
    etcd.setSnapshotCount(50000L);
    cluster.getSpec().setEtcd(etcd);

    assertThat(EtcdArgs.build(cluster, OperatorDefaults.STANDARD)).contains(
        "--quota-backend-bytes=8589934592",
        "--auto-compaction-mode=periodic",
        "--auto-compaction-retention=1h",
        "--heartbeat-interval=200",
        "--election-timeout=2000",
        "--snapshot-count=50000");
  }

  @Test
  void extraArgsComeLastSortedByName() {
    EtcdCluster cluster = TestClusters.cluster("demo", 3);
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("max-txn-ops", "256");
    extra.put("log-level", "debug");
    extra.put("experimental-initial-corrupt-check", "true");
    cluster.getSpec().setEtcd(new EtcdTuning());
    cluster.getSpec().getEtcd().setExtraArgs(extra);

    List<String> args = EtcdArgs.build(cluster, OperatorDefaults.STANDARD);

    assertThat(args).endsWith("--experimental-initial-corrupt-check=true", "--log-level=debug", "--max-txn-ops=256");
  }

  @Test
  void ownedFlagsCannotBeOverriddenThroughExtraArgs() {
    EtcdCluster cluster = TestClusters.cluster("demo", 3);
    cluster.getSpec().setEtcd(new EtcdTuning());
    cluster.getSpec().getEtcd().setExtraArgs(Map.of("name", "evil", "initial-cluster-state", "existing",
        "data-dir", "/tmp", "wal-dir", "/tmp/wal"));

    List<String> args = EtcdArgs.build(cluster, OperatorDefaults.STANDARD);

    assertThat(args).filteredOn(a -> a.startsWith("--name=")).containsExactly("--name=$(POD_NAME)");
    assertThat(args).filteredOn(a -> a.startsWith("--initial-cluster-state=")).containsExactly("--initial-cluster-state=new");
    assertThat(args).filteredOn(a -> a.startsWith("--data-dir=")).containsExactly("--data-dir=/var/lib/etcd/data");
    assertThat(args).noneMatch(a -> a.startsWith("--wal-dir="));
  }

  @Test
  void sameSpecGivesTheSameArgs() {
    EtcdCluster cluster = TestClusters.cluster("demo", 3);
    cluster.getSpec().setEtcd(new EtcdTuning());
    cluster.getSpec().getEtcd().setExtraArgs(Map.of("b", "2", "a", "1", "c", "3"));

    assertThat(EtcdArgs.build(cluster, OperatorDefaults.STANDARD))
        .isEqualTo(EtcdArgs.build(cluster, OperatorDefaults.STANDARD));
  }
}
