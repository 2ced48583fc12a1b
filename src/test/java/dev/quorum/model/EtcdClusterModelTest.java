package dev.quorum.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EtcdClusterModelTest {

  private static final String DEMO_0_PEER = "http://demo-0.demo.ns.svc.cluster.local:2380";
  private static final String DEMO_1_PEER = "http://demo-1.demo.ns.svc.cluster.local:2380";
  private static final String DEMO_2_PEER = "http://demo-2.demo.ns.svc.cluster.local:2380";

  private final EtcdCluster cluster = TestClusters.cluster("demo", "ns", TestClusters.UID, 3);

  @Test
  void namesChildrenAfterTheCluster() {
    EtcdClusterModel model = TestClusters.model(cluster);

    assertThat(model.name()).isEqualTo("demo");
    assertThat(model.namespace()).isEqualTo("ns");
    assertThat(model.key()).isEqualTo("ns/demo");
    assertThat(model.peerService()).isEqualTo("demo");
    assertThat(model.clientService()).isEqualTo("demo-client");
    assertThat(model.podDisruptionBudget()).isEqualTo("demo");
    assertThat(model.membersConfigMap()).isEqualTo("demo-members");
    assertThat(EtcdClusterModel.membersConfigMap("other")).isEqualTo("other-members");
    assertThat(model.memberName(2)).isEqualTo("demo-2");
    assertThat(model.claimName(TestClusters.member(model, 1))).isEqualTo("data-demo-1");
  }

  @Test
  void membersFollowTheSizeInOrdinalOrder() {
    cluster.getSpec().setSize(5);
    EtcdClusterModel model = TestClusters.model(cluster);

    assertThat(model.members()).extracting(Member::name)
        .containsExactly("demo-0", "demo-1", "demo-2", "demo-3", "demo-4");
    assertThat(model.members()).extracting(Member::ordinal).containsExactly(0, 1, 2, 3, 4);
    assertThat(model.size()).isEqualTo(5);
    assertThat(model.quorum()).isEqualTo(3);
  }

  @Test
  void membersAreAddressedByTheirDnsNameThroughThePeerService() {
    Member member = TestClusters.member(TestClusters.model(cluster), 0);

    assertThat(member.host()).isEqualTo("demo-0.demo.ns.svc.cluster.local");
    assertThat(member.peerUrl()).isEqualTo(DEMO_0_PEER);
    assertThat(member.clientUrl()).isEqualTo("http://demo-0.demo.ns.svc.cluster.local:2379");
  }

  @Test
  void clientsReachTheClientService() {
    EtcdClusterModel model = TestClusters.model(cluster);

    assertThat(model.clientEndpoint()).isEqualTo("demo-client.ns.svc.cluster.local:2379");
  }

  @Test
  void addressesUseTheConfiguredClusterDomain() {
    EtcdClusterModel model = EtcdClusterModel.of(cluster, new OperatorSettings("example.org", "quorum-operator:test"),
        MemberBootstrapRecords.NONE);

    assertThat(TestClusters.member(model, 1).peerUrl()).isEqualTo("http://demo-1.demo.ns.svc.example.org:2380");
    assertThat(TestClusters.member(model, 1).clientUrl()).isEqualTo("http://demo-1.demo.ns.svc.example.org:2379");
    assertThat(model.clientEndpoint()).isEqualTo("demo-client.ns.svc.example.org:2379");
  }

  @Test
  void membersSpeakPlainHttpUntilTlsExists() {
    assertThat(TestClusters.model(cluster).scheme()).isEqualTo(Scheme.HTTP);
  }

  @Test
  void selectorLabelsNeverIncludeWhatMayChange() {
    EtcdClusterModel model = TestClusters.model(cluster);

    assertThat(model.selectorLabels()).containsExactly(
        Map.entry("app.kubernetes.io/name", "etcd"),
        Map.entry("app.kubernetes.io/instance", "demo"),
        Map.entry("etcd.quorum.dev/cluster", "demo"));
    assertThat(model.selector())
        .isEqualTo("app.kubernetes.io/name=etcd,app.kubernetes.io/instance=demo,etcd.quorum.dev/cluster=demo");
    assertThat(model.labels()).containsAllEntriesOf(model.selectorLabels())
        .containsEntry("app.kubernetes.io/managed-by", "quorum")
        .hasSize(4);
    assertThat(model.memberLabels(TestClusters.member(model, 2))).containsAllEntriesOf(model.labels())
        .containsEntry("etcd.quorum.dev/member", "demo-2")
        .hasSize(5);
  }

  @Test
  void clusterTokenIsUniquePerEtcdClusterObject() {
    EtcdCluster first = TestClusters.cluster("demo", "ns", "11111111-aaaa-bbbb-cccc-000000000000", 3);
    EtcdCluster recreated = TestClusters.cluster("demo", "ns", "22222222-aaaa-bbbb-cccc-000000000000", 3);

    assertThat(TestClusters.model(first).initialClusterToken()).isEqualTo("demo-11111111");
    assertThat(TestClusters.model(recreated).initialClusterToken()).isEqualTo("demo-22222222");
  }

  @Test
  void clusterTokenIsTheNameWhenThereIsNoUidYet() {
    EtcdCluster unsaved = TestClusters.cluster("demo", "ns", null, 3);

    assertThat(TestClusters.model(unsaved).initialClusterToken()).isEqualTo("demo");
  }

  @Test
  void imageDefaultsToTheReleaseTheCrdDefaults() {
    EtcdClusterModel model = TestClusters.model(cluster);

    assertThat(model.version()).isEqualTo(EtcdClusterSpec.DEFAULT_VERSION);
    assertThat(model.image()).isEqualTo("quay.io/coreos/etcd:v3.6.16")
        .isEqualTo(EtcdClusterSpec.DEFAULT_REPOSITORY + ":v" + EtcdClusterSpec.DEFAULT_VERSION);
  }

  @Test
  void blankVersionAndRepositoryCountAsUnset() {
    cluster.getSpec().setVersion(" ");
    cluster.getSpec().setRepository("");
    cluster.getSpec().setImage(" ");

    assertThat(TestClusters.model(cluster).image()).isEqualTo("quay.io/coreos/etcd:v3.6.16");
  }

  @Test
  void imageComesFromVersionAndRepositoryUnlessOverridden() {
    cluster.getSpec().setVersion("3.5.17");
    cluster.getSpec().setRepository("registry.example/etcd");
    assertThat(TestClusters.model(cluster).image()).isEqualTo("registry.example/etcd:v3.5.17");
    assertThat(TestClusters.model(cluster).version()).isEqualTo("3.5.17");

    cluster.getSpec().setImage("mirror.example/etcd@sha256:abc");
    assertThat(TestClusters.model(cluster).image()).isEqualTo("mirror.example/etcd@sha256:abc");
  }

  @Test
  void foundingMembersStartANewClusterTogether() {
    EtcdClusterModel model = TestClusters.model(cluster);

    assertThat(model.members()).allSatisfy(member -> {
      assertThat(member.bootstrap().state()).isEqualTo(MemberBootstrap.State.NEW);
      assertThat(member.bootstrap().initialCluster())
          .isEqualTo("demo-0=" + DEMO_0_PEER + ",demo-1=" + DEMO_1_PEER + ",demo-2=" + DEMO_2_PEER);
      assertThat(member.bootstrap().token()).isEqualTo("demo-6f1c9a2e");
    });
  }

  @Test
  void aRecordedBootstrapOverridesOnlyItsMember() {
    MemberBootstrap joined = new MemberBootstrap(MemberBootstrap.State.EXISTING,
        "demo-0=" + DEMO_0_PEER + ",demo-1=" + DEMO_1_PEER, "demo-6f1c9a2e");
    MemberBootstrapRecords records = new MemberBootstrapRecords(Map.of("demo-1", joined), Map.of());

    EtcdClusterModel model = TestClusters.model(cluster, records);

    assertThat(TestClusters.member(model, 1).bootstrap()).isEqualTo(joined);
    assertThat(TestClusters.member(model, 0).bootstrap())
        .isEqualTo(TestClusters.member(TestClusters.model(cluster), 0).bootstrap());
    assertThat(TestClusters.member(model, 2).bootstrap().state()).isEqualTo(MemberBootstrap.State.NEW);
  }

  @Test
  void recordsOfMembersBeyondTheSizeAreIgnored() {
    MemberBootstrap stray = new MemberBootstrap(MemberBootstrap.State.EXISTING, "demo-3=x", "t");
    MemberBootstrapRecords records = new MemberBootstrapRecords(Map.of("demo-3", stray), Map.of());

    assertThat(TestClusters.model(cluster, records).members()).extracting(Member::name)
        .containsExactly("demo-0", "demo-1", "demo-2");
  }

  @Test
  void missingStorageAndPodSettingsReadAsTheirDefaults() {
    cluster.getSpec().setStorage(null);
    cluster.getSpec().setPod(null);
    EtcdClusterModel model = TestClusters.model(cluster);

    assertThat(model.storage().isEphemeral()).isFalse();
    assertThat(model.storage().getSize()).isEqualTo("1Gi");
    assertThat(model.podSettings()).isNotNull();
    assertThat(model.podSettings().getAffinity()).isNull();
  }

  @Test
  void inPlaceEveryMemberFoundsANewClusterIdentityOnAFreshClaim() {
    EtcdClusterModel model = TestClusters.model(TestClusters.cluster("demo", 3));
    RestoreSource source = new RestoreSource("b", "k.db", "us-east-1", java.util.Optional.empty(), false,
        java.util.Optional.empty(), java.util.Optional.of("ab"));

    MemberBootstrapRecords records = model.restoredInPlace(source, "1a2b3c4d");

    assertThat(records.byMember()).containsOnlyKeys("demo-0", "demo-1", "demo-2");
    records.byMember().forEach((member, bootstrap) -> {
      assertThat(bootstrap.state()).isEqualTo(MemberBootstrap.State.NEW);
      assertThat(bootstrap.token()).isEqualTo("demo-1a2b3c4d").isNotEqualTo(model.initialClusterToken());
      assertThat(bootstrap.initialCluster()).isEqualTo(TestClusters.member(model, 0).bootstrap().initialCluster());
      assertThat(bootstrap.restore()).contains(source);
      assertThat(bootstrap.dataClaim()).contains("data-" + member + "-1a2b3c4d");
    });
    EtcdClusterModel restoring = TestClusters.model(TestClusters.cluster("demo", 3), records);
    assertThat(restoring.claimName(TestClusters.member(restoring, 2))).isEqualTo("data-demo-2-1a2b3c4d");
    assertThat(records.restoring()).isTrue();
    assertThat(records.restored().restoring()).isFalse();
  }
}
