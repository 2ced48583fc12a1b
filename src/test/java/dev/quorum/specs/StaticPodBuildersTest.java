package dev.quorum.specs;

import static dev.quorum.TestClusters.nodes;
import static dev.quorum.TestClusters.staticPodCluster;
import static dev.quorum.TestClusters.staticPodModel;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.ClusterTls;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.model.Annotations;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrap;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.staticpod.NodeAgent;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StaticPodBuildersTest {

  final EtcdClusterModel model = staticPodModel(staticPodCluster("main"), MemberBootstrapRecords.NONE,
      nodes(4, 0, 1, 2));
  final Member member = model.members().get(1);

  @Test
  void aMemberIsAStaticPodOnItsNodesNetworkWithItsDataOnTheHost() {
    Pod pod = MemberPodBuilder.build(model, member);
    PodSpec spec = pod.getSpec();

    assertThat(member.name()).isEqualTo("main-node-1");
    assertThat(pod.getMetadata().getName()).as("the kubelet adds -<node>: the member's name").isEqualTo("main");
    assertThat(pod.getMetadata().getOwnerReferences()).isEmpty();
    assertThat(pod.getMetadata().getAnnotations()).containsEntry(Annotations.CLUSTER_UID,
        model.resource().getMetadata().getUid());
    assertThat(spec.getHostNetwork()).isTrue();
    assertThat(spec.getPriorityClassName()).isEqualTo("system-node-critical");
    assertThat(spec.getVolumes()).singleElement().satisfies(v -> {
      assertThat(v.getHostPath().getPath()).isEqualTo("/var/lib/quorum/default/main/data-main-node-1");
      assertThat(v.getPersistentVolumeClaim()).isNull();
    });
    assertThat(spec.getContainers().get(0).getArgs()).contains(
        "--listen-client-urls=http://10.0.0.11:2379", "--listen-peer-urls=http://10.0.0.11:2380",
        "--advertise-client-urls=http://10.0.0.11:2379", "--initial-advertise-peer-urls=http://10.0.0.11:2380",
        "--listen-metrics-urls=http://10.0.0.11:2381", "--initial-cluster-state=new",
        "--initial-cluster=main-node-0=http://10.0.0.10:2380,main-node-1=http://10.0.0.11:2380,"
            + "main-node-2=http://10.0.0.12:2380");
    assertThat(MemberClaimBuilder.build(model, member)).as("no volume claim").isEmpty();
  }

  @Test
  void theManifestGoesToItsNodeInAConfigMapWithItsShape() {
    ConfigMap configMap = StaticPodManifestBuilder.build(model, member);

    assertThat(configMap.getMetadata().getName()).isEqualTo("main-node-1-manifest");
    assertThat(configMap.getMetadata().getLabels()).containsEntry(Labels.STATIC_POD_NODE, "node-1")
        .containsEntry(Labels.CLUSTER, "main");
    Pod manifest = Serialization.unmarshal(configMap.getData().get(NodeAgent.MANIFEST_KEY), Pod.class);
    assertThat(manifest).isEqualTo(MemberPodBuilder.build(model, member));
    assertThat(StaticPodManifestBuilder.shapeHash(configMap)).isEqualTo(MemberPodBuilder.shapeHash(model, member));
  }

  @Test
  void theAgentRunsOnTheMembersNodesAndThoseOfMembersLeavingWithTheLeastItNeeds() {
    MemberBootstrapRecords records = new MemberBootstrapRecords(Map.of(
        "main-node-0", bootstrap(), "main-node-1", bootstrap(), "main-node-2", bootstrap(), "main-node-3", bootstrap()),
        Map.of());
    EtcdClusterModel leaving = staticPodModel(staticPodCluster("main"), records, nodes(5, 0, 1, 2));
    ConfigMap manifest = new ConfigMapBuilder(
        StaticPodManifestBuilder.build(leaving, leaving.members().get(0))).editMetadata().withUid("cm-uid-0")
        .endMetadata().build();
    List<HasMetadata> objects = NodeAgentBuilder.build(leaving, List.of(manifest));

    assertThat(objects).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).containsExactly(
        "ServiceAccount/main-node-agent", "Role/main-node-agent", "RoleBinding/main-node-agent",
        "DaemonSet/main-node-agent");
    Role role = (Role) objects.get(1);
    assertThat(role.getRules()).singleElement().satisfies(rule -> {
      assertThat(rule.getResources()).containsExactly("configmaps");
      assertThat(rule.getVerbs()).containsExactly("get", "list", "watch");
    });
    DaemonSet agent = (DaemonSet) objects.get(3);
    PodSpec spec = agent.getSpec().getTemplate().getSpec();
    assertThat(spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
        .getNodeSelectorTerms()).flatExtracting(term -> term.getMatchFields())
        .allSatisfy(f -> assertThat(f.getKey()).isEqualTo("metadata.name"))
        .flatExtracting(f -> f.getValues()).containsExactly("node-0", "node-1", "node-2", "node-3");
    assertThat(spec.getVolumes()).filteredOn(v -> v.getHostPath() != null).singleElement().satisfies(v -> {
      assertThat(v.getHostPath().getPath()).isEqualTo("/etc/kubernetes/manifests");
      assertThat(v.getHostPath().getType()).isEqualTo("Directory");
    });
    assertThat(spec.getContainers().get(0).getArgs()).containsExactly("node-agent", "--cluster", "main",
        "--manifest-dir", "/etc/kubernetes/manifests");
    assertThat(spec.getContainers().get(0).getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(spec.getHostNetwork()).isNull();
    assertThat(objects).as("they outlive the manifests, so every agent removes its own before it goes")
        .allSatisfy(o -> assertThat(o.getMetadata().getOwnerReferences())
            .extracting(r -> r.getKind() + "/" + r.getName() + "/" + r.getUid())
            .containsExactly("EtcdCluster/main/" + TestClusters.UID, "ConfigMap/main-node-0-manifest/cm-uid-0"));
    assertThat(agent.getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKey(Labels.CLUSTER);
  }

  /**
   * TLS in StaticPod mode: the member reads the certificates from a directory on its node that its agent keeps from
   * the members' Secret (which the agent alone may read, by name); the certificate names every member's node
   * address, where it is reached.
   */
  @Test
  void aTlsMemberReadsItsCertificatesFromTheNodeWhereItsAgentPutsThemFromTheSecret() {
    EtcdCluster cluster = staticPodCluster("main");
    cluster.getSpec().setTls(new ClusterTls());
    EtcdClusterModel tls = staticPodModel(cluster, MemberBootstrapRecords.NONE, nodes(4, 0, 1, 2))
        .withTlsRevision("rev1");
    Member second = tls.members().get(1);

    assertThat(tls.tls().tlsIpAddresses()).containsExactly("127.0.0.1", "10.0.0.10", "10.0.0.11", "10.0.0.12");
    Pod pod = MemberPodBuilder.build(tls, second);
    assertThat(pod.getSpec().getVolumes()).filteredOn(v -> v.getName().equals("tls")).singleElement()
        .satisfies(v -> {
          assertThat(v.getHostPath().getPath()).isEqualTo("/var/lib/quorum/default/main/tls")
              .isEqualTo(tls.staticPod().tlsHostPath());
          assertThat(v.getHostPath().getType()).as("written by the agent before the manifest").isEqualTo("Directory");
          assertThat(v.getSecret()).isNull();
        });
    assertThat(pod.getSpec().getContainers().get(0).getArgs()).contains(
        "--listen-client-urls=https://10.0.0.11:2379", "--advertise-client-urls=https://10.0.0.11:2379",
        "--client-cert-auth=true", "--peer-client-cert-auth=true", "--cert-file=/etc/etcd/tls/tls.crt",
        "--listen-metrics-urls=http://10.0.0.11:2381");
    assertThat(pod.getMetadata().getAnnotations()).as("what the mirror pod reports it started with")
        .containsEntry(Annotations.TLS_REVISION, "rev1");

    List<HasMetadata> objects = NodeAgentBuilder.build(tls, List.of());
    Role role = (Role) objects.get(1);
    assertThat(role.getRules()).hasSize(2).last().satisfies(rule -> {
      assertThat(rule.getResources()).containsExactly("secrets");
      assertThat(rule.getResourceNames()).containsExactly("main-tls");
      assertThat(rule.getVerbs()).containsExactly("get");
    });
    PodSpec agent = ((DaemonSet) objects.get(3)).getSpec().getTemplate().getSpec();
    assertThat(agent.getContainers().get(0).getArgs()).containsExactly("node-agent", "--cluster", "main",
        "--manifest-dir", "/etc/kubernetes/manifests", "--tls-secret", "main-tls", "--tls-dir",
        "/var/lib/quorum/default/main/tls");
    assertThat(agent.getVolumes()).filteredOn(v -> v.getHostPath() != null)
        .extracting(v -> v.getHostPath().getPath() + ":" + v.getHostPath().getType())
        .containsExactly("/etc/kubernetes/manifests:Directory", "/var/lib/quorum/default/main/tls:DirectoryOrCreate");
    assertThat(agent.getContainers().get(0).getVolumeMounts()).extracting(m -> m.getMountPath())
        .contains("/var/lib/quorum/default/main/tls");
  }

  @Test
  void aRestoringStaticMemberHasItsSnapshotFetchedByAPodOnItsNodeWithTheCredentials() {
    EtcdClusterModel restoring = EtcdClusterModel.of(staticPodCluster("main"), TestClusters.SETTINGS,
        MemberBootstrapRecords.NONE, Optional.of(RestoreContainersTest.SOURCE), nodes(3, 0, 1, 2));
    Member second = restoring.members().get(1);

    assertThat(RestoreContainers.build(restoring, second)).as("a static pod reads no Secret: no fetch in it")
        .extracting(c -> c.getName())
        .containsExactly(RestoreContainers.PREPARE, RestoreContainers.RESTORE, RestoreContainers.INSTALL);
    assertThat(RestoreContainers.build(restoring, second))
        .allSatisfy(c -> assertThat(c.getSecurityContext()).isEqualTo(PodSecurity.staticPodContainer()));

    Pod fetch = RestoreContainers.fetchPod(restoring, second).orElseThrow();
    assertThat(fetch.getMetadata().getName()).isEqualTo("fetch-" + restoring.claimName(second));
    assertThat(fetch.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getName()).isEqualTo("main"));
    assertThat(fetch.getSpec().getNodeName()).isEqualTo("node-1");
    assertThat(fetch.getSpec().getRestartPolicy()).isEqualTo("OnFailure");
    assertThat(fetch.getSpec().getContainers()).singleElement().satisfies(c -> {
      assertThat(c.getName()).isEqualTo(RestoreContainers.FETCH);
      assertThat(c.getEnv()).allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("s3"));
    });
    assertThat(fetch.getSpec().getVolumes()).singleElement().satisfies(v -> assertThat(v.getHostPath().getPath())
        .isEqualTo(restoring.staticPod().dataHostPath(second)).endsWith("/" + restoring.claimName(second)));
    assertThat(RestoreContainers.fetchPod(model, member)).as("nothing to fetch without a restore").isEmpty();
  }

  @Test
  void aStaticMemberInstalledItsSnapshotOnlyInTheDirectoryOfThatRestore() {
    Pod pod = new PodBuilder(MemberPodBuilder.build(model, member)).withNewStatus()
        .addNewInitContainerStatus().withName(RestoreContainers.INSTALL).withNewState().withNewTerminated()
        .withExitCode(0).endTerminated().endState().endInitContainerStatus().endStatus().build();

    assertThat(RestoreContainers.installed(pod, model.claimName(member))).isTrue();
    assertThat(RestoreContainers.installed(pod, model.claimName(member) + "-abc")).isFalse();
  }

  private static MemberBootstrap bootstrap() {
    return new MemberBootstrap(MemberBootstrap.State.NEW, "x=http://h:2380", "t");
  }
}
