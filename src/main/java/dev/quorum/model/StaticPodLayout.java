package dev.quorum.model;

import dev.quorum.api.v1alpha1.StaticPodSettings;
import java.util.List;
import java.util.TreeSet;

/**
 * StaticPod mode's part of a cluster's model: the node each member runs on, the node agent that writes their manifests
 * into the kubelets' directory, and where on a node a member's manifest, data and certificates are.
 */
public final class StaticPodLayout {

  private final EtcdClusterModel model;
  private final NodePlacement placement;
  private final MemberBootstrapRecords records;

  StaticPodLayout(EtcdClusterModel model, NodePlacement placement, MemberBootstrapRecords records) {
    this.model = model;
    this.placement = placement;
    this.records = records;
  }

  /** The node a member runs on. */
  public String nodeOf(Member member) {
    return placement.nodeOf(member.name());
  }

  /**
   * The nodes whose manifests the node agent keeps: the members' and those of members on record that
   * are leaving (the agent removes their manifest once its ConfigMap goes).
   */
  public List<String> agentNodes() {
    TreeSet<String> nodes = new TreeSet<>();
    model.members().forEach(m -> nodes.add(nodeOf(m)));
    model.others().stream().filter(m -> records.of(m.name()).isPresent() || records.unreadable().containsKey(m.name()))
        .forEach(m -> nodes.add(nodeOf(m)));
    return List.copyOf(nodes);
  }

  /** The kubelet's static pod directory on the nodes. */
  public String manifestDirectory() {
    return EtcdClusterModel.blankToNull(model.spec().getStaticPod().getManifestDirectory())
        .orElse(StaticPodSettings.DEFAULT_MANIFEST_DIRECTORY);
  }

  /**
   * The member's data directory on its node. Named after its data "claim" (the one its record names,
   * a restored member's), so a restore starts in a fresh directory and the replaced data stays apart.
   */
  public String dataHostPath(Member member) {
    return staticPodRoot() + "/" + model.claimName(member);
  }

  /** The cluster's directory on a member's node, {@code <dataDirectory>/<namespace>/<cluster>}. */
  private String staticPodRoot() {
    String root = EtcdClusterModel.blankToNull(model.spec().getStaticPod().getDataDirectory())
        .orElse(StaticPodSettings.DEFAULT_DATA_DIRECTORY).replaceAll("/+$", "");
    return root + "/" + model.namespace() + "/" + model.name();
  }

  /**
   * The ConfigMap holding a member's static pod manifest, which the node agent on its node writes into
   * the kubelet's directory.
   */
  public String manifestConfigMap(String member) {
    return member + "-manifest";
  }

  /** The static pod's name; the kubelet names its mirror pod {@code <name>-<node>}, the member's. */
  public String staticPodName() {
    return model.name();
  }

  /** The node agent's DaemonSet, and its ServiceAccount, Role and RoleBinding. */
  public String nodeAgent() {
    return model.name() + "-node-agent";
  }

  /**
   * TLS: the directory on each member's node where its node agent puts the members' certificates
   * (from their Secret, which a static pod cannot mount) for the member to read.
   */
  public String tlsHostPath() {
    return staticPodRoot() + "/tls";
  }
}
