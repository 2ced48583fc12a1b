package dev.quorum.specs;

import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import dev.quorum.staticpod.NodeAgent;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * StaticPod mode: the node agent that writes the members' manifests into the kubelet's directory. A DaemonSet of the
 * operator's image in its node-agent mode, on exactly the nodes with a member (and those of members still leaving),
 * with the least it needs: a hostPath mount of the manifest directory, and a Role to read ConfigMaps in the cluster's
 * namespace. It runs as root, which owns the manifest directory, with every capability dropped.
 */
public final class NodeAgentBuilder {

  static final String COMPONENT_VALUE = "quorum-node-agent";
  static final String MANIFESTS_VOLUME = "manifests";
  static final String TMP_VOLUME = "tmp";

  private NodeAgentBuilder() {}

  /** The ServiceAccount, Role, RoleBinding and DaemonSet, in the order they are applied. */
  public static List<HasMetadata> build(EtcdClusterModel model) {
    String name = model.nodeAgent();
    return List.of(
        new ServiceAccountBuilder().withMetadata(ChildMetadata.of(model, name)).build(),
        new RoleBuilder().withMetadata(ChildMetadata.of(model, name))
            .withRules(new PolicyRuleBuilder().withApiGroups("").withResources("configmaps")
                .withVerbs("get", "list", "watch").build())
            .build(),
        new RoleBindingBuilder().withMetadata(ChildMetadata.of(model, name))
            .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(name).endRoleRef()
            .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(model.namespace()).endSubject()
            .build(),
        daemonSet(model));
  }

  /** One term per node, since terms are alternatives and a name field takes one value per term. */
  static List<NodeSelectorTerm> onNodes(List<String> nodes) {
    return nodes.stream().map(node -> new NodeSelectorTermBuilder().addNewMatchField().withKey("metadata.name")
        .withOperator("In").withValues(node).endMatchField().build()).toList();
  }

  static DaemonSet daemonSet(EtcdClusterModel model) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(Labels.NAME, COMPONENT_VALUE);
    selector.put(Labels.INSTANCE, model.name());
    String directory = model.manifestDirectory();
    return new DaemonSetBuilder()
        .withMetadata(ChildMetadata.of(model, model.nodeAgent()))
        .withNewSpec()
        .withNewSelector().withMatchLabels(selector).endSelector()
        .withNewTemplate()
        .withNewMetadata().withLabels(selector).endMetadata()
        .withNewSpec()
        .withServiceAccountName(model.nodeAgent())
        .withImagePullSecrets(model.spec().getImagePullSecrets())
        // exactly the nodes with a manifest to keep; a node leaving the selection keeps its agent until its member left
        .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
        .withNodeSelectorTerms(onNodes(model.agentNodes()))
        .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
        // control-plane nodes are tainted; the agent goes where the members are
        .addNewToleration().withOperator("Exists").endToleration()
        .withNewSecurityContext().withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName("node-agent")
        .withImage(model.operatorImage())
        .withArgs(NodeAgent.COMMAND, "--cluster", model.name(), "--manifest-dir", directory)
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
        .endContainer()
        .addNewVolume().withName(MANIFESTS_VOLUME).withNewHostPath().withPath(directory).withType("Directory")
        .endHostPath().endVolume()
        .addNewVolume().withName(TMP_VOLUME).withNewEmptyDir().endEmptyDir().endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
