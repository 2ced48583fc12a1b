package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.PodSettings;
import dev.quorum.api.v1alpha1.PvcRetentionPolicy;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatefulSetBuilderTest {

  private final EtcdCluster cluster = TestClusters.cluster("demo", 3);

  @Test
  void runsEveryMemberInParallelBehindThePeerService() {
    StatefulSet sts = build();

    assertThat(sts.getMetadata().getName()).isEqualTo("demo");
    assertThat(sts.getMetadata().getNamespace()).isEqualTo("default");
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(sts.getSpec().getServiceName()).isEqualTo("demo");
    assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(sts.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of(
        "app.kubernetes.io/name", "etcd",
        "app.kubernetes.io/instance", "demo",
        "etcd.quorum.dev/cluster", "demo"));
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/managed-by", "quorum");
  }

  @Test
  void isOwnedByTheEtcdCluster() {
    var owner = build().getMetadata().getOwnerReferences();

    assertThat(owner).singleElement().satisfies(ref -> {
      assertThat(ref.getApiVersion()).isEqualTo("etcd.quorum.dev/v1alpha1");
      assertThat(ref.getKind()).isEqualTo("EtcdCluster");
      assertThat(ref.getName()).isEqualTo("demo");
      assertThat(ref.getUid()).isEqualTo(TestClusters.UID);
      assertThat(ref.getController()).isTrue();
      assertThat(ref.getBlockOwnerDeletion()).isTrue();
    });
  }

  @Test
  void etcdContainerStartsEtcdWithItsPodName() {
    Container etcd = container(build());

    assertThat(etcd.getName()).isEqualTo("etcd");
    assertThat(etcd.getImage()).isEqualTo("quay.io/coreos/etcd:v3.6.16");
    assertThat(etcd.getCommand()).containsExactly("/usr/local/bin/etcd");
    assertThat(etcd.getArgs()).isEqualTo(EtcdArgs.build(cluster, OperatorDefaults.STANDARD));
    assertThat(etcd.getEnv()).extracting(EnvVar::getName).containsExactly("POD_NAME", "POD_NAMESPACE");
    assertThat(etcd.getEnv().get(0).getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    assertThat(etcd.getEnv().get(1).getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
    assertThat(etcd.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactly("client:2379", "peer:2380", "metrics:2381");
  }

  @Test
  void imageComesFromVersionAndRepositoryUnlessOverridden() {
    cluster.getSpec().setVersion("3.5.17");
    cluster.getSpec().setRepository("registry.example/etcd");
    assertThat(container(build()).getImage()).isEqualTo("registry.example/etcd:v3.5.17");

    cluster.getSpec().setImage("mirror.example/etcd@sha256:abc");
    assertThat(container(build()).getImage()).isEqualTo("mirror.example/etcd@sha256:abc");
  }

  @Test
  void probesUseEtcdsHealthEndpointsOnTheMetricsPort() {
    Container etcd = container(build());

    assertThat(etcd.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(etcd.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
    assertThat(etcd.getStartupProbe().getHttpGet().getPath()).isEqualTo("/livez");
    assertThat(etcd.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(2381);
    assertThat(etcd.getLivenessProbe().getFailureThreshold()).isGreaterThanOrEqualTo(5);
    assertThat(etcd.getStartupProbe().getFailureThreshold() * etcd.getStartupProbe().getPeriodSeconds())
        .isGreaterThanOrEqualTo(300);
  }

  @Test
  void meetsTheRestrictedPodSecurityStandard() {
    StatefulSet sts = build();
    PodSpec pod = sts.getSpec().getTemplate().getSpec();
    var container = container(sts).getSecurityContext();

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(container.getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getRunAsNonRoot()).isTrue();
  }

  @Test
  void persistentStorageUsesAVolumeClaimTemplate() {
    cluster.getSpec().getStorage().setSize("8Gi");
    cluster.getSpec().getStorage().setStorageClassName("fast");
    cluster.getSpec().getStorage().setPvcRetentionPolicy(PvcRetentionPolicy.Delete);

    StatefulSet sts = build();

    assertThat(sts.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(pvc -> {
      assertThat(pvc.getMetadata().getName()).isEqualTo("data");
      assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
      assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("fast");
      assertThat(pvc.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("8Gi"));
    });
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Delete");
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Retain");
    assertThat(sts.getSpec().getTemplate().getSpec().getVolumes()).isEmpty();
    assertThat(container(sts).getVolumeMounts()).singleElement()
        .satisfies(m -> assertThat(m.getName() + ":" + m.getMountPath()).isEqualTo("data:/var/lib/etcd"));
  }

  @Test
  void claimsAreRetainedByDefault() {
    StatefulSet sts = build();

    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
    assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests())
        .containsEntry("storage", new Quantity("1Gi"));
  }

  @Test
  void ephemeralStorageUsesAnEmptyDir() {
    cluster.getSpec().getStorage().setEphemeral(true);

    StatefulSet sts = build();

    assertThat(sts.getSpec().getVolumeClaimTemplates()).isEmpty();
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy()).isNull();
    assertThat(sts.getSpec().getTemplate().getSpec().getVolumes()).singleElement().satisfies(v -> {
      assertThat(v.getName()).isEqualTo("data");
      assertThat(v.getEmptyDir()).isNotNull();
    });
  }

  @Test
  void membersPreferDistinctNodesByDefault() {
    var antiAffinity = build().getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity();

    assertThat(antiAffinity.getRequiredDuringSchedulingIgnoredDuringExecution()).isEmpty();
    assertThat(antiAffinity.getPreferredDuringSchedulingIgnoredDuringExecution()).singleElement().satisfies(term -> {
      assertThat(term.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
      assertThat(term.getPodAffinityTerm().getLabelSelector().getMatchLabels())
          .isEqualTo(EtcdClusterNames.selectorLabels(cluster));
    });
  }

  @Test
  void podSettingsApply() {
    PodSettings pod = new PodSettings();
    pod.setAffinity(new AffinityBuilder().withNewNodeAffinity().endNodeAffinity().build());
    pod.setNodeSelector(Map.of("disk", "ssd"));
    pod.setPriorityClassName("system-cluster-critical");
    pod.setLabels(Map.of("team", "storage", "etcd.quorum.dev/cluster", "hijack"));
    pod.setAnnotations(Map.of("prometheus.io/scrape", "true"));
    cluster.getSpec().setPod(pod);

    PodSpec spec = build().getSpec().getTemplate().getSpec();
    var metadata = build().getSpec().getTemplate().getMetadata();

    assertThat(spec.getAffinity().getPodAntiAffinity()).isNull();
    assertThat(spec.getAffinity().getNodeAffinity()).isNotNull();
    assertThat(spec.getNodeSelector()).containsEntry("disk", "ssd");
    assertThat(spec.getPriorityClassName()).isEqualTo("system-cluster-critical");
    assertThat(metadata.getLabels()).containsEntry("team", "storage").containsEntry("etcd.quorum.dev/cluster", "demo");
    assertThat(metadata.getAnnotations()).containsEntry("prometheus.io/scrape", "true");
  }

  @Test
  void serviceLinksAreOffSoEtcdSeesNoStrayEtcdVariables() {
    assertThat(build().getSpec().getTemplate().getSpec().getEnableServiceLinks()).isFalse();
  }

  private StatefulSet build() {
    return StatefulSetBuilder.build(cluster, OperatorDefaults.STANDARD);
  }

  private static Container container(StatefulSet sts) {
    return sts.getSpec().getTemplate().getSpec().getContainers().get(0);
  }
}
