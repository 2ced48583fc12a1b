package dev.quorum.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.rig.ClientResult;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.ClientServiceWriter;
import dev.quorum.testing.MembershipClusters;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scaling on the rig, one member at a time through the etcd API, while a writer puts a key every 50 ms through the
 * client Service: no acknowledged write is lost, and writes fail at most briefly. And with the operator killed after
 * each step: the next one finishes the change with exactly the requested members.
 */
class MembershipScaleIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration WRITE_EVERY = Duration.ofMillis(50);
  /** Writes may fail while a leader is elected (about a second here) and while the Service catches up. */
  static final Duration LONGEST_ACCEPTABLE_OUTAGE = Duration.ofSeconds(5);
  static String ns;
  static KubernetesClient kube;
  static OperatorProcess operator;
  /** Whether {@link #operator} runs without a failpoint. */
  static boolean operatorIsPlain;

  @BeforeAll
  static void operator() {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    startPlainOperator("scale-it");
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void threeToFiveAndBackToThreeWhileWritingLosesNoAcknowledgedWrite() throws Exception {
    String cluster = "five";
    MembershipClusters.create(kube, ns, cluster, null);
    awaitMembers(cluster, 3);
    ClientServiceWriter writer = new ClientServiceWriter(kube, ns, cluster + "-client", WRITE_EVERY);
    try {
      resize(cluster, 5);
      awaitMembers(cluster, 5);
      assertThat(reasons(cluster)).contains("MemberAdded", "MemberRecorded", "MemberPromoted");
      assertThat(kube.policy().v1().podDisruptionBudget().inNamespace(ns).withName(cluster).get().getSpec()
          .getMinAvailable().getIntVal()).as("one member at a time may be disrupted").isEqualTo(4);

      // the highest ordinal leads: it hands leadership over before it leaves
      moveLeaderTo(cluster, 5, cluster + "-4");
      resize(cluster, 3);
      awaitMembers(cluster, 3);
      assertThat(reasons(cluster)).contains("LeaderMoved", "MemberRemoved", "MemberRetired");
      awaitOnlyObjectsOf(cluster, 3);
      assertThat(kube.configMaps().inNamespace(ns).withName(cluster + "-members").get().getData())
          .containsOnlyKeys(cluster + "-0", cluster + "-1", cluster + "-2");
    } finally {
      writer.stopAndAssertKept(LONGEST_ACCEPTABLE_OUTAGE);
    }
    kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).delete();
  }

  @Test
  void threeToSevenWhileWritingLosesNoAcknowledgedWrite() throws Exception {
    String cluster = "seven";
    MembershipClusters.create(kube, ns, cluster, null);
    awaitMembers(cluster, 3);
    ClientServiceWriter writer = new ClientServiceWriter(kube, ns, cluster + "-client", WRITE_EVERY);
    try {
      resize(cluster, 7);
      awaitMembers(cluster, 7);
      EtcdCluster done = kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).get();
      assertThat(done.getStatus().getMembers()).hasSize(7).allMatch(m -> m.isReady() && m.getLearner() == null);
      assertThat(done.getStatus().getOperation()).isNull();
    } finally {
      writer.stopAndAssertKept(LONGEST_ACCEPTABLE_OUTAGE);
    }
    kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).delete();
  }

  /**
   * The operator halts right after each step of a scale-up and of a scale-down, the leader's hand-over included (a
   * failpoint, as a kill would); a new
   * operator recognises the half-done step and goes on. After each restart the next step is cut short too.
   */
  @Test
  void scalingCutShortAfterEveryStepConvergesWithExactlyTheRequestedMembers() throws Exception {
    String cluster = "halting";
    MembershipClusters.create(kube, ns, cluster, null);
    awaitMembers(cluster, 3);

    // the size changes only once the halting operator runs: it, not the one before, is to take the first step
    haltAfter("MemberAdded", cluster, () -> resize(cluster, 5));
    haltAfter("MemberRecorded", cluster, () -> { });
    haltAfter("MemberPromoted", cluster, () -> { });
    startPlainOperator("scale-it-up");
    awaitMembers(cluster, 5);

    // the leaving member leads, so the scale-down starts by moving leadership away; it is made leader just before the
    // resize, with the halting operator already up, so no election on a busy machine comes in between
    haltAfter("LeaderMoved", cluster, () -> {
      moveLeaderTo(cluster, 5, cluster + "-4");
      resize(cluster, 3);
    });
    haltAfter("MemberRemoved", cluster, () -> { });
    haltAfter("MemberRetired", cluster, () -> { });
    startPlainOperator("scale-it-down");
    awaitMembers(cluster, 3);
    awaitOnlyObjectsOf(cluster, 3);
    kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).delete();
  }

  /** A test that stopped while a halting operator ran leaves the next test a plain one. */
  @AfterEach
  void plainOperatorForTheNextTest() {
    if (!operatorIsPlain || !operator.isAlive()) {
      startPlainOperator("scale-it-next");
    }
  }

  /** The pods and claims of the members that left are deleted (a claim goes once its pod has). */
  private static void awaitOnlyObjectsOf(String cluster, int size) {
    List<String> members = IntStream.range(0, size).mapToObj(i -> cluster + "-" + i).toList();
    List<String> claims = members.stream().map(m -> "data-" + m).toList();
    await("only the pods and claims of " + members).atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          assertThat(kube.pods().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", cluster).list().getItems())
              .extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrderElementsOf(members);
          assertThat(kube.persistentVolumeClaims().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", cluster)
              .list().getItems()).extracting(c -> c.getMetadata().getName())
              .containsExactlyInAnyOrderElementsOf(claims);
        });
  }

  /**
   * Restarts the operator with a failpoint after {@code step}, then does {@code then} (a user's edit, once the halting
   * operator runs), and waits for it to halt there.
   */
  private static void haltAfter(String step, String cluster, Runnable then) {
    operator.close();
    long before = reasons(cluster).stream().filter(step::equals).count();
    OperatorProcess halting = startOperator("scale-it-halt-" + step, Map.of("QUORUM_MEMBERSHIP_HALT_AFTER_STEP", step));
    operator = halting;
    operatorIsPlain = false;
    then.run();
    assertThat(halting.awaitExit(Duration.ofMinutes(3))).as("the operator halted after " + step + ":\n"
        + halting.logTail(30)).isTrue();
    await(step + " reported").atMost(Duration.ofSeconds(30))
        .until(() -> reasons(cluster).stream().filter(step::equals).count() > before);
    halting.close();
    assertNoDuplicates(cluster);
  }

  private static void startPlainOperator(String name) {
    if (operator != null) {
      operator.close();
    }
    operator = startOperator(name, Map.of());
    operatorIsPlain = true;
  }

  private static OperatorProcess startOperator(String name, Map<String, String> env) {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("QUORUM_STATUS_REFRESH_INTERVAL", "2s");
    return RIG.startOperatorProcess(name, all);
  }

  private static void resize(String cluster, int size) {
    MembershipClusters.edit(kube, ns, cluster, spec -> spec.setSize(size));
  }

  /** Waits until etcd lists exactly {@code size} started voters, all ready, no learner, and nothing in progress. */
  private static void awaitMembers(String cluster, int size) {
    await(cluster + " at " + size + " members").atMost(Duration.ofMinutes(size * 2L)).pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          if (!operator.isAlive()) {
            throw new IllegalStateException("the operator exited:\n" + operator.logTail(40));
          }
          EtcdCluster c = kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).get();
          boolean settled = c != null && c.getStatus() != null && c.getStatus().getOperation() == null
              && c.getStatus().getReadyMembers() == size && c.getStatus().getConditions().stream()
                  .anyMatch(x -> ConditionTypes.AVAILABLE.equals(x.getType()) && "True".equals(x.getStatus()));
          return settled && memberList(cluster).size() == size && voters(cluster) == size;
        });
    assertNoDuplicates(cluster);
  }

  private static void assertNoDuplicates(String cluster) {
    List<JsonNode> members = memberList(cluster);
    List<String> peerUrls = members.stream().map(m -> m.path("peerURLs").path(0).asText()).toList();
    assertThat(peerUrls).as("no member twice").doesNotHaveDuplicates();
  }

  private static void moveLeaderTo(String cluster, int size, String member) {
    String endpoints = IntStream.range(0, size).mapToObj(i -> "http://" + cluster + "-" + i + "." + cluster + "." + ns
        + ".svc.cluster.local:2379").collect(Collectors.joining(","));
    String id = memberList(cluster).stream().filter(m -> member.equals(m.path("name").asText()))
        .map(m -> Long.toHexString(m.path("ID").asLong())).findFirst().orElseThrow();
    ClientResult moved = RIG.etcdctl("--endpoints=" + endpoints, "move-leader", id);
    assertThat(moved.output()).as(moved.output()).contains("Leadership transferred");
    await("the cluster reports " + member + " as leader").atMost(Duration.ofSeconds(30)).until(() -> {
      EtcdCluster c = kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).get();
      return member.equals(c.getStatus().getLeader());
    });
  }

  static List<JsonNode> memberList(String cluster) {
    try {
      JsonNode members = JSON.readTree(RIG.etcdctl("--endpoints=http://" + cluster + "-client." + ns
          + ".svc.cluster.local:2379", "member", "list", "-w", "json").output()).path("members");
      List<JsonNode> list = new ArrayList<>();
      members.forEach(list::add);
      return list;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static long voters(String cluster) {
    return memberList(cluster).stream()
        .filter(m -> !m.path("name").asText().isEmpty() && !m.path("isLearner").asBoolean(false)).count();
  }

  static List<String> reasons(String cluster) {
    return MembershipClusters.reasons(kube, ns, cluster);
  }
}
