package dev.quorum.specs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdTuning;
import dev.quorum.api.v1alpha1.PodSettings;
import dev.quorum.model.Annotations;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import dev.quorum.model.MemberBootstrap;
import dev.quorum.model.MemberBootstrapRecords;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemberPodBuilderTest {

  private final EtcdCluster cluster = TestClusters.cluster("demo", 3);

  @Test
  void eachMemberGetsItsOwnPodBehindThePeerService() {
    Pod pod = build(1);

    assertThat(pod.getMetadata().getName()).isEqualTo("demo-1");
    assertThat(pod.getMetadata().getNamespace()).isEqualTo("default");
    // <hostname>.<subdomain> resolves to the member's DNS name, the one in its peer and client URLs
    assertThat(pod.getSpec().getHostname()).isEqualTo("demo-1");
    assertThat(pod.getSpec().getSubdomain()).isEqualTo("demo").isEqualTo(model().peerService());
    assertThat(pod.getMetadata().getLabels()).isEqualTo(Map.of(
        "app.kubernetes.io/name", "etcd",
        "app.kubernetes.io/instance", "demo",
        "etcd.quorum.dev/cluster", "demo",
        "app.kubernetes.io/managed-by", "quorum",
        "etcd.quorum.dev/member", "demo-1",
        "etcd.quorum.dev/voter", "true"));
  }

  @Test
  void isOwnedByTheEtcdCluster() {
    assertThat(build(0).getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
      assertThat(ref.getApiVersion()).isEqualTo("etcd.quorum.dev/v1alpha1");
      assertThat(ref.getKind()).isEqualTo("EtcdCluster");
      assertThat(ref.getName()).isEqualTo("demo");
      assertThat(ref.getUid()).isEqualTo(TestClusters.UID);
      assertThat(ref.getController()).isTrue();
      assertThat(ref.getBlockOwnerDeletion()).isTrue();
    });
  }

  @Test
  void etcdContainerRunsTheMembersCommandLine() {
    Container etcd = container(build(2));

    assertThat(etcd.getName()).isEqualTo("etcd");
    assertThat(etcd.getImage()).isEqualTo("quay.io/coreos/etcd:v3.6.16")
        .isEqualTo(EtcdClusterSpec.DEFAULT_REPOSITORY + ":v" + EtcdClusterSpec.DEFAULT_VERSION);
    assertThat(etcd.getCommand()).containsExactly("/usr/local/bin/etcd");
    assertThat(etcd.getArgs()).isEqualTo(EtcdArgs.build(model(), TestClusters.member(model(), 2)));
    assertThat(etcd.getEnv()).as("names are in the args; nothing is taken from the downward API").isNullOrEmpty();
    assertThat(etcd.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactly("client:2379", "peer:2380", "metrics:2381");
  }

  @Test
  void imageComesFromVersionAndRepositoryUnlessOverridden() {
    cluster.getSpec().setVersion("3.5.17");
    cluster.getSpec().setRepository("registry.example/etcd");
    assertThat(container(build(0)).getImage()).isEqualTo("registry.example/etcd:v3.5.17");

    cluster.getSpec().setImage("mirror.example/etcd@sha256:abc");
    assertThat(container(build(0)).getImage()).isEqualTo("mirror.example/etcd@sha256:abc");
  }

  @Test
  void imagePullSettingsFollowTheSpec() {
    cluster.getSpec().setImagePullPolicy("IfNotPresent");
    cluster.getSpec().setImagePullSecrets(List.of(new LocalObjectReference("registry-login")));
    Pod pod = build(0);

    assertThat(container(pod).getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(pod.getSpec().getImagePullSecrets()).extracting(LocalObjectReference::getName)
        .containsExactly("registry-login");
  }

  @Test
  void probesUseEtcdsHealthEndpointsOnTheMetricsPort() {
    Container etcd = container(build(0));

    assertProbe(etcd.getReadinessProbe(), "/readyz", 2);
    assertProbe(etcd.getStartupProbe(), "/livez", 1);
    assertThat(etcd.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
    assertThat(etcd.getLivenessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(2381);
    assertThat(etcd.getLivenessProbe().getFailureThreshold()).isGreaterThanOrEqualTo(5);
    assertThat(etcd.getStartupProbe().getFailureThreshold() * etcd.getStartupProbe().getPeriodSeconds())
        .as("seconds a first start or a long WAL replay may take").isGreaterThanOrEqualTo(300);
  }

  @Test
  void meetsTheRestrictedPodSecurityStandard() {
    Pod pod = build(0);
    var podSecurity = pod.getSpec().getSecurityContext();
    var containerSecurity = container(pod).getSecurityContext();

    assertThat(podSecurity.getRunAsNonRoot()).isTrue();
    assertThat(podSecurity.getRunAsUser()).isEqualTo(65532L);
    assertThat(podSecurity.getRunAsGroup()).isEqualTo(65532L);
    assertThat(podSecurity.getFsGroup()).isEqualTo(65532L);
    assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(containerSecurity.getAllowPrivilegeEscalation()).isFalse();
    assertThat(containerSecurity.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(containerSecurity.getReadOnlyRootFilesystem()).isTrue();
    assertThat(containerSecurity.getRunAsNonRoot()).isTrue();
  }

  @Test
  void persistentStorageMountsTheMembersOwnClaim() {
    Pod pod = build(1);

    assertThat(pod.getSpec().getVolumes()).singleElement().satisfies(volume -> {
      assertThat(volume.getName()).isEqualTo("data");
      assertThat(volume.getPersistentVolumeClaim().getClaimName()).isEqualTo("data-demo-1");
      assertThat(volume.getEmptyDir()).isNull();
    });
    assertThat(container(pod).getVolumeMounts()).singleElement()
        .satisfies(m -> assertThat(m.getName() + ":" + m.getMountPath()).isEqualTo("data:/var/lib/etcd"));
  }

  @Test
  void ephemeralStorageUsesAnEmptyDir() {
    cluster.getSpec().getStorage().setEphemeral(true);

    assertThat(build(0).getSpec().getVolumes()).singleElement().satisfies(volume -> {
      assertThat(volume.getName()).isEqualTo("data");
      assertThat(volume.getEmptyDir()).isNotNull();
      assertThat(volume.getPersistentVolumeClaim()).isNull();
    });
  }

  @Test
  void membersPreferDistinctNodesByDefault() {
    var antiAffinity = build(0).getSpec().getAffinity().getPodAntiAffinity();

    assertThat(antiAffinity.getRequiredDuringSchedulingIgnoredDuringExecution()).isEmpty();
    assertThat(antiAffinity.getPreferredDuringSchedulingIgnoredDuringExecution()).singleElement().satisfies(term -> {
      assertThat(term.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
      assertThat(term.getPodAffinityTerm().getLabelSelector().getMatchLabels()).isEqualTo(model().selectorLabels());
    });
  }

  @Test
  void podSettingsApply() {
    PodSettings settings = new PodSettings();
    settings.setAffinity(new AffinityBuilder().withNewNodeAffinity().endNodeAffinity().build());
    settings.setNodeSelector(Map.of("disk", "ssd"));
    settings.setPriorityClassName("system-cluster-critical");
    settings.setLabels(Map.of("team", "storage", "etcd.quorum.dev/cluster", "hijack"));
    settings.setAnnotations(Map.of("prometheus.io/scrape", "true"));
    cluster.getSpec().setPod(settings);

    Pod pod = build(0);

    assertThat(pod.getSpec().getAffinity().getPodAntiAffinity()).as("the user's affinity replaces the default")
        .isNull();
    assertThat(pod.getSpec().getAffinity().getNodeAffinity()).isNotNull();
    assertThat(pod.getSpec().getNodeSelector()).containsEntry("disk", "ssd");
    assertThat(pod.getSpec().getPriorityClassName()).isEqualTo("system-cluster-critical");
    assertThat(pod.getMetadata().getLabels()).containsEntry("team", "storage")
        .containsEntry("etcd.quorum.dev/cluster", "demo")
        .containsEntry("etcd.quorum.dev/member", "demo-0");
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true")
        .containsKey(Annotations.SHAPE_HASH);
  }

  @Test
  void serviceLinksAreOffSoEtcdSeesNoStrayEtcdVariables() {
    assertThat(build(0).getSpec().getEnableServiceLinks()).isFalse();
  }

  @Test
  void podCarriesTheHashOfItsShape() {
    Pod pod = build(0);

    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry(Annotations.SHAPE_HASH, shapeHash(0))
        .containsEntry("etcd.quorum.dev/version", EtcdClusterSpec.DEFAULT_VERSION)
        .hasSize(2);
    assertThat(shapeHash(0)).matches("[0-9a-f]{16}");
    assertThat(shapeHash(0)).as("the same spec gives the same hash").isEqualTo(shapeHash(0));
    assertThat(shapeHash(1)).isNotEqualTo(shapeHash(0));
  }

  @Test
  void shapeHashChangesWithTheVersion() {
    String before = shapeHash(0);
    cluster.getSpec().setVersion("3.6.17");

    assertThat(shapeHash(0)).isNotEqualTo(before);
  }

  @Test
  void shapeHashChangesWithTheTuning() {
    String before = shapeHash(0);
    cluster.getSpec().setEtcd(new EtcdTuning());
    cluster.getSpec().getEtcd().setSnapshotCount(50000L);

    assertThat(shapeHash(0)).isNotEqualTo(before);
  }

  @Test
  void shapeHashChangesWithUserLabelsAndAnnotations() {
    String before = shapeHash(0);
    cluster.getSpec().setPod(new PodSettings());
    cluster.getSpec().getPod().setLabels(Map.of("team", "storage"));
    String labelled = shapeHash(0);
    cluster.getSpec().getPod().setAnnotations(Map.of("prometheus.io/scrape", "true"));

    assertThat(labelled).isNotEqualTo(before);
    assertThat(shapeHash(0)).isNotEqualTo(labelled).isNotEqualTo(before);
  }

  @Test
  void shapeHashIgnoresTheBootstrapSoARecordedOneRestartsNothing() {
    EtcdClusterModel founding = model();
    MemberBootstrap joining = new MemberBootstrap(MemberBootstrap.State.EXISTING,
        "demo-0=http://demo-0.demo.default.svc.cluster.local:2380", "demo-other");
    EtcdClusterModel recorded = TestClusters.model(cluster,
        new MemberBootstrapRecords(Map.of("demo-0", joining), Map.of()));

    Pod foundingPod = MemberPodBuilder.build(founding, TestClusters.member(founding, 0));
    Pod recordedPod = MemberPodBuilder.build(recorded, TestClusters.member(recorded, 0));

    assertThat(container(recordedPod).getArgs()).isNotEqualTo(container(foundingPod).getArgs());
    assertThat(recordedPod.getMetadata().getAnnotations().get(Annotations.SHAPE_HASH))
        .isEqualTo(foundingPod.getMetadata().getAnnotations().get(Annotations.SHAPE_HASH));
    // a founding member votes from its first start; one joining as a learner is labelled a voter once promoted
    assertThat(foundingPod.getMetadata().getLabels()).containsEntry(dev.quorum.model.Labels.VOTER, "true");
    assertThat(recordedPod.getMetadata().getLabels()).doesNotContainKey(dev.quorum.model.Labels.VOTER);
  }

  @Test
  void staticPodsReuseThePodSpecWithTheirOwnArgs() {
    EtcdClusterModel model = model();
    List<String> args = List.of("--name=demo-0", "--log-level=debug");

    PodSpec spec = MemberPodBuilder.podSpec(model, TestClusters.member(model, 0), args);

    assertThat(spec.getContainers()).singleElement().satisfies(c -> assertThat(c.getArgs()).isEqualTo(args));
    assertThat(spec.getHostname()).isEqualTo("demo-0");
  }

  private EtcdClusterModel model() {
    return TestClusters.model(cluster);
  }

  private Pod build(int ordinal) {
    EtcdClusterModel model = model();
    return MemberPodBuilder.build(model, TestClusters.member(model, ordinal));
  }

  private String shapeHash(int ordinal) {
    EtcdClusterModel model = model();
    return MemberPodBuilder.shapeHash(model, TestClusters.member(model, ordinal));
  }

  private static Container container(Pod pod) {
    return pod.getSpec().getContainers().get(0);
  }

  private static void assertProbe(Probe probe, String path, int periodSeconds) {
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort().getIntVal()).isEqualTo(2381);
    assertThat(probe.getHttpGet().getScheme()).isEqualTo("HTTP");
    assertThat(probe.getPeriodSeconds()).isEqualTo(periodSeconds);
  }
}
