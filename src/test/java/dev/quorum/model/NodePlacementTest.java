package dev.quorum.model;

import static dev.quorum.TestClusters.nodes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodePlacementTest {

  static final Map<String, String> SELECTOR = Map.of("etcd", "member");

  @Test
  void everySelectedNodeRunsOneMemberNamedAfterIt() {
    NodePlacement placement = NodePlacement.of("main", nodes(5, 4, 0, 2), SELECTOR, MemberBootstrapRecords.NONE);

    assertThat(placement.problem()).isEmpty();
    assertThat(placement.members()).containsExactly("main-node-0", "main-node-2", "main-node-4");
    assertThat(placement.nodeOf("main-node-2")).isEqualTo("node-2");
    assertThat(placement.addressOf("main-node-4")).contains("10.0.0.14");
    assertThat(placement.others()).as("the nodes not selected, the last first").containsExactly("main-node-3",
        "main-node-1");
  }

  @Test
  void anEvenOrTooSmallSelectionKeepsTheMembersOnRecordAndSaysWhy() {
    MemberBootstrapRecords records = records("main-node-0", "main-node-1", "main-node-2");
    NodePlacement four = NodePlacement.of("main", nodes(5, 0, 1, 2, 3), SELECTOR, records);

    assertThat(four.problem()).hasValueSatisfying(p -> assertThat(p)
        .contains("matches 4 nodes (node-0, node-1, node-2, node-3)", "odd number from 3 to 9"));
    assertThat(four.members()).containsExactly("main-node-0", "main-node-1", "main-node-2");

    assertThat(NodePlacement.of("main", nodes(5, 0), SELECTOR, MemberBootstrapRecords.NONE).problem())
        .hasValueSatisfying(p -> assertThat(p).contains("matches 1 nodes"));
    assertThat(NodePlacement.of("main", nodes(3), Map.of(), MemberBootstrapRecords.NONE).problem())
        .as("an empty selector selects nothing, not everything").isPresent();
  }

  @Test
  void aMemberOnRecordWhoseNodeIsGoneIsAmongTheOthers() {
    MemberBootstrapRecords records = records("main-node-0", "main-node-1", "main-node-2", "main-node-9");
    NodePlacement placement = NodePlacement.of("main", nodes(3, 0, 1, 2), SELECTOR, records);

    assertThat(placement.others()).containsExactly("main-node-9");
    assertThat(placement.nodeOf("main-node-9")).isEqualTo("node-9");
    assertThat(placement.addressOf("main-node-9")).isEmpty();
  }

  @Test
  void aNodeWithoutAnAddressIsReported() {
    List<ClusterNode> nodes = List.of(new ClusterNode("a", SELECTOR, Optional.of("10.0.0.1")),
        new ClusterNode("b", SELECTOR, Optional.empty()), new ClusterNode("c", SELECTOR, Optional.of("10.0.0.3")));

    assertThat(NodePlacement.of("main", nodes, SELECTOR, MemberBootstrapRecords.NONE).problem())
        .hasValueSatisfying(p -> assertThat(p).contains("b report no InternalIP"));
  }

  @Test
  void memberNamesTooLongForALabelAreReported() {
    String longName = "control-plane-node-with-a-very-long-fully-qualified-name.example";
    List<ClusterNode> nodes = List.of(new ClusterNode(longName, SELECTOR, Optional.of("10.0.0.1")),
        new ClusterNode("b", SELECTOR, Optional.of("10.0.0.2")), new ClusterNode("c", SELECTOR, Optional.of("10.0.0.3")));

    assertThat(NodePlacement.of("main", nodes, SELECTOR, MemberBootstrapRecords.NONE).problem())
        .hasValueSatisfying(p -> assertThat(p).contains("main-" + longName, "longer than 63 characters"));
  }

  private static MemberBootstrapRecords records(String... members) {
    Map<String, MemberBootstrap> byMember = new java.util.TreeMap<>();
    for (String member : members) {
      byMember.put(member, new MemberBootstrap(MemberBootstrap.State.NEW, member + "=http://h:2380", "t"));
    }
    return new MemberBootstrapRecords(byMember, Map.of());
  }
}
