package dev.quorum.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.rig.ClientResult;
import dev.quorum.membership.FaultMatrix.Position;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.ClientServiceWriter;
import dev.quorum.testing.MembershipClusters;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A member whose etcd stays broken past the deadline is replaced on the rig: removed from etcd, added back as a
 * learner, recorded as joining, started, promoted; the others untouched. And a replacement cut short by the operator
 * dying after each step is finished by the next operator.
 */
class MemberReplacementIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static final ObjectMapper JSON = new ObjectMapper();
  static String ns;
  static KubernetesClient kube;
  static OperatorProcess operator;
  static FaultMatrix matrix;
  /** Every operator of this class: a quick refresh, and a member broken for 20 s replaced. */
  static final Map<String, String> OPERATOR_ENV = Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s",
      "QUORUM_MEMBERSHIP_REPLACE_BROKEN_AFTER", "20s");

  @BeforeAll
  static void operator() {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    operator = RIG.startOperatorProcess("replacement-it", OPERATOR_ENV);
    matrix = new FaultMatrix(RIG.rig(), ns, () -> operator);
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  // an ephemeral member's pod deleted, and a member's claim and pod deleted, are FaultMatrixIT's cases (at member 0, the
  // leader and the highest ordinal), with the same checks

  /** A member whose etcd stays down past the deadline (20 s here) is replaced by a new member, data and all. */
  @Test
  void aMemberBrokenPastTheDeadlineIsReplacedByANewMember() {
    String cluster = "broken";
    replacedAfter(cluster, false, name -> RIG.rig().faults().breakContainer(ns, name, "etcd", Duration.ofMinutes(5)));
    assertThat(reasons(cluster)).contains("MemberDiscarded");
  }

  /**
   * The operator dies right after each membership step of a replacement (remove, add, record, promote; a failpoint halts
   * it as a kill would), and is started again each time: the next one recognises the half-done change from etcd's
   * member list and the records and finishes it, with no member duplicated or lost and no acknowledged write lost.
   * While member 0 is replaced, and while the leader is; in a cluster of its own, whose member has never been replaced,
   * so every step is taken.
   */
  @ParameterizedTest(name = "while the {0} is replaced")
  @EnumSource(value = Position.class, names = {"MEMBER_0", "LEADER"})
  void theOperatorKilledAfterEachStepOfAReplacementLeavesNothingUndone(Position position) throws Exception {
    String cluster = matrix.cluster("halt-" + position.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), 3,
        true);
    String member = matrix.member(cluster, 3, position);
    String idBefore = matrix.memberIds(cluster).get(member);
    List<String> steps = List.of("MemberRemoved", "MemberAdded", "MemberRecorded", "MemberPromoted");
    Map<String, String> halting = new HashMap<>(OPERATOR_ENV);
    halting.put("QUORUM_MEMBERSHIP_HALT_AFTER_STEP", String.join(",", steps));
    operator.close();
    operator = RIG.startOperatorProcess("replacement-it-halting-" + position, halting);
    List<String> haltedAfter = new ArrayList<>();
    ClientServiceWriter writer = new ClientServiceWriter(kube, ns, cluster + "-client", FaultMatrix.WRITE_EVERY);
    try {
      MemberFault.EPHEMERAL_POD_DELETED.inflict(matrix.faults(), ns, member);
      while (true) {
        OperatorProcess running = operator;
        await(cluster + " healed, or the operator halted").atMost(FaultMatrix.HEAL_WITHIN)
            .pollInterval(Duration.ofMillis(250))
            .until(() -> !running.isAlive() || (!idBefore.equals(matrix.memberIds(cluster).get(member))
                && matrix.healthy(cluster, 3)));
        if (running.isAlive()) {
          break;
        }
        String said = running.logTail(20);
        haltedAfter.add(steps.stream().filter(s -> said.contains("halting as if killed, after " + s)).findFirst()
            .orElse("? (" + said + ")"));
        running.close();
        operator = RIG.startOperatorProcess("replacement-it-halting-" + position + "-" + haltedAfter.size(),
            halting);
      }
      writer.stopAndAssertKept(FaultMatrix.LONGEST_ACCEPTABLE_OUTAGE);
    } finally {
      writer.close();
      operator.close();
      operator = RIG.startOperatorProcess("replacement-it-after-halting-" + position, OPERATOR_ENV);
    }
    assertThat(haltedAfter).as("one halt after each step, in order").containsExactlyElementsOf(steps);
    assertThat(matrix.memberIds(cluster).get(member)).as("a new member").isNotEqualTo(idBefore);
    matrix.awaitHealthy(cluster, 3, FaultMatrix.HEAL_WITHIN);
    kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).delete();
  }

  private void replacedAfter(String cluster, boolean ephemeral, java.util.function.Consumer<String> loseData) {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.getStorage().setEphemeral(ephemeral);
    spec.getStorage().setSize("128Mi");
    EtcdCluster resource = new EtcdCluster();
    resource.setMetadata(new ObjectMetaBuilder().withName(cluster).withNamespace(ns).build());
    resource.setSpec(spec);
    kube.resources(EtcdCluster.class).inNamespace(ns).resource(resource).create();
    awaitThreeReady(cluster);
    String endpoint = "--endpoints=http://" + cluster + "-client." + ns + ".svc.cluster.local:2379";
    assertThat(etcdctl(endpoint, "put", "/before", "kept").output()).contains("OK");
    String middle = cluster + "-1";
    String oldId = memberId(cluster, middle);
    Map<String, String> others = podUids(cluster);
    others.remove(middle);
    String oldPod = kube.pods().inNamespace(ns).withName(middle).get().getMetadata().getUid();

    loseData.accept(middle);

    awaitReplaced(cluster, middle, oldPod);
    assertThat(memberId(cluster, middle)).as("a new member").isNotEqualTo(oldId);
    ClientResult list = etcdctl(endpoint, "member", "list");
    assertThat(list.output().lines().filter(l -> l.contains(", started, " + cluster + "-"))).as(list.output()).hasSize(3);
    assertThat(list.output()).doesNotContain("true"); // IS LEARNER column: none left
    assertThat(etcdctl(endpoint, "get", "/before", "--print-value-only").output().strip()).isEqualTo("kept");
    Map<String, String> othersAfter = podUids(cluster);
    othersAfter.remove(middle);
    assertThat(othersAfter).as("the other members were not touched").isEqualTo(others);
    assertThat(kube.configMaps().inNamespace(ns).withName(cluster + "-members").get().getData().get(middle))
        .contains("initial-cluster-state: existing");
    assertThat(reasons(cluster)).contains("MemberRemoved", "MemberAdded", "MemberRecorded", "MemberPromoted");
    kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).delete();
  }

  static void createEphemeral(String cluster) {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.getStorage().setEphemeral(true);
    EtcdCluster resource = new EtcdCluster();
    resource.setMetadata(new ObjectMetaBuilder().withName(cluster).withNamespace(ns).build());
    resource.setSpec(spec);
    kube.resources(EtcdCluster.class).inNamespace(ns).resource(resource).create();
  }

  static void awaitReplaced(String cluster, String member, String oldPod) {
    await(member + " replaced").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
      if (!operator.isAlive()) {
        throw new IllegalStateException("the operator exited:\n" + operator.logTail(40));
      }
      Pod pod = kube.pods().inNamespace(ns).withName(member).get();
      return pod != null && !pod.getMetadata().getUid().equals(oldPod) && readyMembers(cluster) == 3
          && voters(cluster) == 3;
    });
  }

  static List<String> reasons(String cluster) {
    return MembershipClusters.reasons(kube, ns, cluster);
  }

  static void awaitThreeReady(String cluster) {
    await(cluster + " Available").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> readyMembers(cluster) == 3);
  }

  static int readyMembers(String cluster) {
    EtcdCluster c = kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).get();
    boolean available = c != null && c.getStatus() != null && c.getStatus().getConditions().stream()
        .anyMatch(x -> ConditionTypes.AVAILABLE.equals(x.getType()) && "True".equals(x.getStatus()));
    return available ? c.getStatus().getReadyMembers() : 0;
  }

  /** Started voting members, as etcd lists them. */
  static long voters(String cluster) throws Exception {
    JsonNode members = JSON.readTree(etcdctl("--endpoints=http://" + cluster + "-0." + cluster + "." + ns
        + ".svc.cluster.local:2379", "member", "list", "-w", "json").output()).path("members");
    long count = 0;
    for (JsonNode m : members) {
      if (!m.path("name").asText().isEmpty() && !m.path("isLearner").asBoolean(false)) {
        count++;
      }
    }
    return count;
  }

  static String memberId(String cluster, String member) {
    try {
      JsonNode members = JSON.readTree(etcdctl("--endpoints=http://" + cluster + "-0." + cluster + "." + ns
          + ".svc.cluster.local:2379", "member", "list", "-w", "json").output()).path("members");
      for (JsonNode m : members) {
        if (member.equals(m.path("name").asText())) {
          return Long.toHexString(m.path("ID").asLong());
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    throw new IllegalStateException(member + " is not listed");
  }

  static Map<String, String> podUids(String cluster) {
    Map<String, String> uids = new HashMap<>();
    kube.pods().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", cluster).list().getItems()
        .forEach(p -> uids.put(p.getMetadata().getName(), p.getMetadata().getUid()));
    return uids;
  }

  static ClientResult etcdctl(String... args) {
    return RIG.etcdctl(args);
  }
}
