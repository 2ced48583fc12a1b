package dev.quorum.model;

import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Pure: which nodes run the members of a StaticPod-mode cluster. Every node the selector matches runs one member,
 * named {@code <cluster>-<node>} (also its mirror pod's name), at the node's address. While the selector matches an
 * even number of nodes, or fewer than 3, or more than 9, the members stay those on record, and {@link #problem()}
 * says why nothing changes.
 */
public final class NodePlacement {

  /** A member's name is a label value of its pod and manifest. */
  static final int MAX_LABEL_VALUE = 63;

  private final String cluster;
  private final List<String> members;
  private final List<String> others;
  private final Map<String, String> nodeOfMember = new LinkedHashMap<>();
  private final Map<String, String> addressOfMember = new LinkedHashMap<>();
  private final Optional<String> problem;

  private NodePlacement(String cluster, List<ClusterNode> nodes, Map<String, String> selector,
      MemberBootstrapRecords records) {
    this.cluster = cluster;
    List<String> problems = new ArrayList<>();
    List<ClusterNode> sorted = nodes.stream().sorted(Comparator.comparing(ClusterNode::name)).toList();
    for (ClusterNode node : sorted) {
      nodeOfMember.put(memberName(node.name()), node.name());
      node.address().ifPresent(address -> addressOfMember.put(memberName(node.name()), address));
    }
    List<ClusterNode> selected = sorted.stream().filter(n -> n.matches(selector)).toList();
    List<String> withoutAddress = selected.stream().filter(n -> n.address().isEmpty()).map(ClusterNode::name).toList();
    int count = selected.size();
    if (count < 3 || count > EtcdClusterSpec.MAX_SIZE || count % 2 == 0) {
      problems.add(String.format("spec.staticPod.nodeSelector matches %d nodes (%s): StaticPod mode needs an odd"
          + " number from 3 to 9, one member per node (quorum = members/2 + 1); the members stay as they are until"
          + " the selection is odd again", count, String.join(", ", selected.stream().map(ClusterNode::name).toList())));
    }
    List<String> tooLong = selected.stream().map(n -> memberName(n.name())).filter(m -> m.length() > MAX_LABEL_VALUE)
        .toList();
    if (!tooLong.isEmpty()) {
      problems.add("member names " + String.join(", ", tooLong) + " are longer than " + MAX_LABEL_VALUE
          + " characters, which their pods' labels cannot hold: use a shorter cluster name");
    }
    if (!withoutAddress.isEmpty()) {
      problems.add("nodes " + String.join(", ", withoutAddress) + " report no InternalIP address for their member"
          + " to listen at");
    }
    this.problem = problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    if (problem.isEmpty() || records.isEmpty()) {
      this.members = selected.stream().map(n -> memberName(n.name())).toList();
    } else {
      this.members = List.copyOf(new TreeSet<>(records.members()));
    }
    TreeSet<String> rest = new TreeSet<>(Comparator.reverseOrder());
    nodeOfMember.keySet().stream().filter(m -> !members.contains(m)).forEach(rest::add);
    records.members().stream().filter(m -> !members.contains(m)).forEach(rest::add);
    this.others = List.copyOf(rest);
  }

  public static NodePlacement of(String cluster, List<ClusterNode> nodes, Map<String, String> selector,
      MemberBootstrapRecords records) {
    return new NodePlacement(cluster, nodes, selector, records);
  }

  /** The member a node runs. */
  public String memberName(String node) {
    return cluster + "-" + node;
  }

  /** The members, by node name. */
  public List<String> members() {
    return members;
  }

  /**
   * Every other member there could be, last node first: one per node not selected, and those on record whose node
   * is gone. The membership looks among them for members to remove.
   */
  public List<String> others() {
    return others;
  }

  /** The node a member runs on, when the node exists; else the part of its name after the cluster's. */
  public String nodeOf(String member) {
    return nodeOfMember.getOrDefault(member, member.substring(Math.min(member.length(), cluster.length() + 1)));
  }

  /** The node's address, when the node exists and reports one. */
  public Optional<String> addressOf(String member) {
    return Optional.ofNullable(addressOfMember.get(member));
  }

  /** Why the selection cannot be the membership now, if it cannot. */
  public Optional<String> problem() {
    return problem;
  }
}
