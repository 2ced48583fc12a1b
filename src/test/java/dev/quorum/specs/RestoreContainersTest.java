package dev.quorum.specs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.RestoreSource;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestoreContainersTest {

  static final RestoreSource SOURCE = new RestoreSource("backups", "ns/demo/nightly.db", "us-east-1",
      Optional.of("http://s3.example:9000"), true,
      Optional.of(new RestoreSource.CredentialsSecret("s3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")),
      Optional.of("0123abcd"));

  private final EtcdCluster cluster = TestClusters.cluster("demo", 3);

  private EtcdClusterModel restoring() {
    return EtcdClusterModel.of(cluster, TestClusters.SETTINGS, MemberBootstrapRecords.NONE, Optional.of(SOURCE));
  }

  @Test
  void aRestoringMemberFetchesRestoresAndInstallsInThatOrder() {
    EtcdClusterModel model = restoring();
    Member member = TestClusters.member(model, 1);

    List<Container> init = RestoreContainers.build(model, member);

    assertThat(init).extracting(Container::getName).containsExactly("fetch-snapshot", "restore-snapshot",
        "install-restored");
    assertThat(init).extracting(Container::getImage)
        .containsExactly("quorum-operator:test", model.image(), "quorum-operator:test");
    assertThat(init).allSatisfy(c -> {
      assertThat(c.getVolumeMounts()).singleElement().satisfies(m -> {
        assertThat(m.getName()).isEqualTo(MemberPodBuilder.DATA_VOLUME);
        assertThat(m.getMountPath()).isEqualTo("/var/lib/etcd");
      });
      assertThat(c.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
      assertThat(c.getSecurityContext()).isEqualTo(PodSecurity.container());
    });
  }

  @Test
  void theFetchGetsTheSourceAsArgumentsAndTheAccessKeyFromTheSecret() {
    EtcdClusterModel model = restoring();
    Container fetch = RestoreContainers.build(model, TestClusters.member(model, 0)).get(0);

    assertThat(fetch.getCommand()).as("the image's entrypoint").isEmpty();
    assertThat(fetch.getArgs()).containsExactly("restore-fetch", "--data-dir", "/var/lib/etcd/data",
        "--work-dir", "/var/lib/etcd/restore", "--bucket", "backups", "--key", "ns/demo/nightly.db",
        "--region", "us-east-1", "--endpoint", "http://s3.example:9000", "--path-style", "true",
        "--sha256", "0123abcd");
    assertThat(fetch.getEnv()).hasSize(2).allSatisfy(env -> {
      assertThat(env.getValue()).isNull();
      assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("s3");
      assertThat(env.getValueFrom().getSecretKeyRef().getKey()).isEqualTo(env.getName());
    });
  }

  @Test
  void etcdutlRestoresThisMemberIntoTheWorkDirectoryWithTheClustersBootstrap() {
    EtcdClusterModel model = restoring();
    Member member = TestClusters.member(model, 2);
    Container restore = RestoreContainers.build(model, member).get(1);

    assertThat(restore.getCommand()).containsExactly("/usr/local/bin/etcdutl");
    assertThat(restore.getArgs()).containsExactly("snapshot", "restore", "/var/lib/etcd/restore/snapshot.db",
        "--name=demo-2",
        "--initial-cluster=" + member.bootstrap().initialCluster(),
        "--initial-cluster-token=" + model.initialClusterToken(),
        "--initial-advertise-peer-urls=" + member.peerUrl(),
        "--data-dir=/var/lib/etcd/restore/data",
        "--skip-hash-check=true");
    assertThat(member.bootstrap().initialCluster()).contains("demo-0=", "demo-1=", "demo-2=");
  }

  @Test
  void aBumpOnRecordMovesEveryMembersRevisionAsFarAndMarksTheRestCompacted() {
    EtcdClusterModel model = EtcdClusterModel.of(cluster, TestClusters.SETTINGS, MemberBootstrapRecords.NONE,
        Optional.of(SOURCE.withBumpRevision(1_000_000_000L)));

    for (Member member : model.members()) {
      assertThat(RestoreContainers.build(model, member).get(1).getArgs()).as(member.name())
          .endsWith("--skip-hash-check=true", "--bump-revision=1000000000", "--mark-compacted");
    }
    assertThat(RestoreContainers.build(restoring(), TestClusters.member(restoring(), 0)).get(1).getArgs())
        .as("no bump on record: the snapshot's revision").noneMatch(a -> a.startsWith("--bump-revision")
            || a.equals("--mark-compacted"));
  }

  @Test
  void theMemberPodCarriesThemOnAFreshClaimWithoutChangingItsShape() {
    EtcdClusterModel model = restoring();
    Member member = TestClusters.member(model, 0);
    Pod pod = MemberPodBuilder.build(model, member);

    assertThat(pod.getSpec().getInitContainers()).hasSize(3);
    assertThat(pod.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName())
        .isEqualTo("data-demo-0-" + TestClusters.UID.substring(0, 8));

    // the restore done, the records keep the claim and drop the snapshot: same shape, no init containers
    MemberBootstrapRecords restored = TestClusters.foundingRecords(model).restored();
    EtcdClusterModel after = TestClusters.model(cluster, restored);
    Pod later = MemberPodBuilder.build(after, TestClusters.member(after, 0));
    assertThat(later.getSpec().getInitContainers()).isEmpty();
    assertThat(later.getSpec().getVolumes()).isEqualTo(pod.getSpec().getVolumes());
    assertThat(MemberPodBuilder.shapeHash(after, TestClusters.member(after, 0)))
        .isEqualTo(MemberPodBuilder.shapeHash(model, member));
  }

  @Test
  void aMemberWithoutASnapshotHasNoInitContainers() {
    EtcdClusterModel model = TestClusters.model(cluster);
    assertThat(MemberPodBuilder.build(model, TestClusters.member(model, 0)).getSpec().getInitContainers()).isEmpty();
    assertThat(model.claimName(TestClusters.member(model, 0))).isEqualTo("data-demo-0");
  }

  @Test
  void aPodHasInstalledItsDataOnceItsInstallContainerSucceededOnTheRecordedClaim() {
    EtcdClusterModel model = restoring();
    Member member = TestClusters.member(model, 0);
    Pod pod = MemberPodBuilder.build(model, member);
    String claim = model.claimName(member);
    assertThat(RestoreContainers.installed(pod, claim)).as("no status yet").isFalse();

    pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().addNewInitContainerStatus()
        .withName("install-restored").withNewState().withNewTerminated().withExitCode(0).endTerminated().endState()
        .endInitContainerStatus().build());

    assertThat(RestoreContainers.installed(pod, claim)).isTrue();
    assertThat(RestoreContainers.installed(pod, "data-demo-0")).as("a pod on another claim").isFalse();
  }
}
