package dev.quorum.specs;

import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import dev.quorum.model.Scheme;
import dev.quorum.staticpod.NodeAgent;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * StaticPod mode: the node agent that writes the members' manifests into the kubelet's directory. A DaemonSet of the
 * operator's image in its node-agent mode, on exactly the nodes with a member (and those of members still leaving),
 * with the least it needs: a hostPath mount of the manifest directory, and a Role to read ConfigMaps in the cluster's
 * namespace; with TLS also a hostPath mount of the cluster's certificate directory on the node and the right to read
 * the members' Secret, by name. It runs as root, which owns the manifest directory, with every capability dropped.
 *
 * <p>The agent's objects are owned by the cluster and by every manifest ConfigMap: the garbage collector deletes an
 * object only once all its owners are gone, so when the cluster is deleted its manifests go first and the agents last,
 * and each agent has removed its manifest from its node before it stops.
 */
public final class NodeAgentBuilder {

  static final String COMPONENT_VALUE = "quorum-node-agent";
  static final String MANIFESTS_VOLUME = "manifests";
  static final String TMP_VOLUME = "tmp";
  static final String TLS_VOLUME = "tls";

  private NodeAgentBuilder() {}

  /**
   * The ServiceAccount, Role, RoleBinding and DaemonSet, in the order they are applied.
   *
   * @param manifests the cluster's manifest ConfigMaps that exist, with their uids
   */
  public static List<HasMetadata> build(EtcdClusterModel model, List<ConfigMap> manifests) {
    String name = model.staticPod().nodeAgent();
    ObjectMeta metadata = outlivingManifests(model, name, manifests);
    return List.of(
        new ServiceAccountBuilder().withMetadata(metadata).build(),
        new RoleBuilder().withMetadata(metadata).withRules(rules(model)).build(),
        new RoleBindingBuilder().withMetadata(metadata)
            .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(name).endRoleRef()
            .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(model.namespace()).endSubject()
            .build(),
        daemonSet(model, metadata));
  }

  /** It reads its manifests' ConfigMaps; with TLS also the members' Secret, that one by name and nothing else. */
  static List<PolicyRule> rules(EtcdClusterModel model) {
    PolicyRule configMaps = new PolicyRuleBuilder().withApiGroups("").withResources("configmaps")
        .withVerbs("get", "list", "watch").build();
    if (model.scheme() != Scheme.HTTPS) {
      return List.of(configMaps);
    }
    return List.of(configMaps, new PolicyRuleBuilder().withApiGroups("").withResources("secrets")
        .withResourceNames(model.tls().memberTlsSecret()).withVerbs("get").build());
  }

  /** The agent's command line: its cluster, the manifest directory, and with TLS where the certificates go. */
  static List<String> args(EtcdClusterModel model) {
    List<String> args = new ArrayList<>(List.of(NodeAgent.COMMAND, "--cluster", model.name(), "--manifest-dir",
        model.staticPod().manifestDirectory()));
    if (model.scheme() == Scheme.HTTPS) {
      args.addAll(List.of("--tls-secret", model.tls().memberTlsSecret(), "--tls-dir", model.staticPod().tlsHostPath()));
    }
    return args;
  }

  /** Owned by the cluster (its controller) and by every manifest ConfigMap, so it goes only after all of them. */
  static ObjectMeta outlivingManifests(EtcdClusterModel model, String name, List<ConfigMap> manifests) {
    ObjectMetaBuilder metadata = ChildMetadata.builder(model, name);
    manifests.stream().sorted(Comparator.comparing(c -> c.getMetadata().getName()))
        .forEach(manifest -> metadata.addNewOwnerReference().withApiVersion("v1").withKind("ConfigMap")
            .withName(manifest.getMetadata().getName()).withUid(manifest.getMetadata().getUid())
            .endOwnerReference());
    return metadata.build();
  }

  /** One term per node, since terms are alternatives and a name field takes one value per term. */
  static List<NodeSelectorTerm> onNodes(List<String> nodes) {
    return nodes.stream().map(node -> new NodeSelectorTermBuilder().addNewMatchField().withKey("metadata.name")
        .withOperator("In").withValues(node).endMatchField().build()).toList();
  }

  static DaemonSet daemonSet(EtcdClusterModel model, ObjectMeta metadata) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(Labels.NAME, COMPONENT_VALUE);
    selector.put(Labels.INSTANCE, model.name());
    String directory = model.staticPod().manifestDirectory();
    return new DaemonSetBuilder()
        .withMetadata(metadata)
        .withNewSpec()
        .withNewSelector().withMatchLabels(selector).endSelector()
        // the node list is part of the template: a rolling update would restart every agent whenever a member comes
        // or goes. With OnDelete, the controller still starts agents on nodes added and stops those on nodes removed;
        // a running agent takes a new image when it restarts.
        .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
        .withNewTemplate()
        .withNewMetadata().withLabels(selector).endMetadata()
        .withNewSpec()
        .withServiceAccountName(model.staticPod().nodeAgent())
        .withImagePullSecrets(model.spec().getImagePullSecrets())
        // exactly the nodes with a manifest to keep; a node leaving the selection keeps its agent until its member left
        .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
        .withNodeSelectorTerms(onNodes(model.staticPod().agentNodes()))
        .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
        // control-plane nodes are tainted; the agent goes where the members are
        .addNewToleration().withOperator("Exists").endToleration()
        .withNewSecurityContext().withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName("node-agent")
        .withImage(model.operatorImage())
        .withArgs(args(model))
        .addNewEnv().withName("NODE_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("spec.nodeName")
        .endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("POD_NAMESPACE").withNewValueFrom().withNewFieldRef()
        .withFieldPath("metadata.namespace").endFieldRef().endValueFrom().endEnv()
        .withNewResources()
        .withRequests(Map.of("cpu", new Quantity("10m"), "memory", new Quantity("64Mi")))
        .withLimits(Map.of("memory", new Quantity("256Mi")))
        .endResources()
        .withNewSecurityContext()
        .withRunAsUser(0L).withRunAsNonRoot(false).withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .endSecurityContext()
        .addNewVolumeMount().withName(MANIFESTS_VOLUME).withMountPath(directory).endVolumeMount()
        .addNewVolumeMount().withName(TMP_VOLUME).withMountPath("/tmp").endVolumeMount()
        .addAllToVolumeMounts(model.scheme() != Scheme.HTTPS ? List.of() : List.of(new VolumeMountBuilder()
            .withName(TLS_VOLUME).withMountPath(model.staticPod().tlsHostPath()).build()))
        .endContainer()
        .addNewVolume().withName(MANIFESTS_VOLUME).withNewHostPath().withPath(directory).withType("Directory")
        .endHostPath().endVolume()
        .addNewVolume().withName(TMP_VOLUME).withNewEmptyDir().endEmptyDir().endVolume()
        // the certificates' directory only, made if missing; the rest of the node's data directory stays out of reach
        .addAllToVolumes(model.scheme() != Scheme.HTTPS ? List.of() : List.of(new VolumeBuilder().withName(TLS_VOLUME)
            .withNewHostPath().withPath(model.staticPod().tlsHostPath()).withType("DirectoryOrCreate").endHostPath().build()))
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
