package dev.quorum.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.QuorumLossPolicy;
import dev.quorum.rig.ChartOperator;
import dev.quorum.rig.Pods;
import dev.quorum.rig.RigNode;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.ClientServiceWriter;
import dev.quorum.testing.ClusterStatusWatch;
import dev.quorum.testing.MembershipClusters;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A node fails for real: its kubelet, containerd and every process of its pods stop and its link goes down, as when
 * a machine loses power. The member it held is unreachable, its pod object stays as it was (nobody is left to update
 * it), and its claim's data lives on that node only. The cluster stays Available on the other two; once the member
 * has been broken past the replace deadline it is replaced on another node, with a new claim, and no write etcd
 * acknowledged meanwhile is lost. Three nodes of five failing cost a cluster its quorum: its policy recovers it.
 */
// alone: powers a node off: every pod on it goes
@Isolated
class NodeFailureIT {

  /** A short replace deadline, as a test setting: the default is minutes. */
  static final Map<String, String> OPERATOR_ENV = Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s",
      "QUORUM_MEMBERSHIP_REPLACE_BROKEN_AFTER", "20s");
  @RegisterExtension
  static final RigSession RIG = new RigSession().withOperator(OPERATOR_ENV);
  /** The node controller marks an unreachable node's pods not ready after its grace period (50 s by default). */
  static final Duration REPLACED_WITHIN = Duration.ofMinutes(5);
  static final String CLUSTER = "node-loss";
  /** The automatic recovery's deadline, as a test setting: the default is 5 minutes. */
  static final Duration AUTOMATIC_AFTER = Duration.ofSeconds(30);
  static final Duration RECOVERED_WITHIN = Duration.ofMinutes(5);

  static KubernetesClient kube;
  static String ns;
  static ChartOperator operator;

  @BeforeAll
  static void operator() {
    kube = RIG.client();
    ns = RIG.namespace();
    RIG.installQuorumCrds();
    operator = RIG.operator();
  }

  @Test
  void aMemberOnAFailedNodeIsReplacedOnAnotherNodeWithANewClaimWhileTheClusterStaysAvailable() throws Exception {
    MembershipClusters.create(kube, ns, CLUSTER, null);
    awaitThreeVoters();
    // a node with a member but not the operator's pod fails (an operator on it would be rescheduled only once its
    // pod is evicted, minutes later)
    List<String> operatorNodes = infrastructureNodes();
    Pod victim = memberPods().stream().filter(p -> !operatorNodes.contains(p.getSpec().getNodeName())).findFirst()
        .orElseThrow();
    String member = victim.getMetadata().getName();
    String failedNode = victim.getSpec().getNodeName();
    PersistentVolumeClaim oldClaim = kube.persistentVolumeClaims().inNamespace(ns).withName("data-" + member).get();
    String oldId = memberId(member);

    ClientServiceWriter writer = new ClientServiceWriter(kube, ns, CLUSTER + "-client", Duration.ofMillis(100));
    List<String> notAvailable = new CopyOnWriteArrayList<>();
    ClusterStatusWatch watch = new ClusterStatusWatch(kube, ns, CLUSTER, status -> status.condition("Available")
        .filter(c -> !"True".equals(c.getStatus())).ifPresent(c -> notAvailable.add(c.getMessage())));
    RigNode node = RIG.rig().nodes().node(failedNode);
    try {
      node.powerOff();
      await(member + " replaced on another node with a new claim").atMost(REPLACED_WITHIN)
          .pollInterval(Duration.ofSeconds(1)).until(() -> {
            operator.assertAlive();
            Pod pod = kube.pods().inNamespace(ns).withName(member).get();
            PersistentVolumeClaim claim = kube.persistentVolumeClaims().inNamespace(ns).withName("data-" + member)
                .get();
            return pod != null && Pods.isReady(pod) && !failedNode.equals(pod.getSpec().getNodeName())
                && claim != null && !oldClaim.getMetadata().getUid().equals(claim.getMetadata().getUid())
                && !oldId.equals(memberId(member)) && voters() == 3;
          });
      watch.close();
      writer.stopAndAssertKept(FaultMatrix.LONGEST_ACCEPTABLE_OUTAGE);
      assertThat(notAvailable).as("times the cluster was not Available").isEmpty();
      assertThat(MembershipClusters.reasons(kube, ns, CLUSTER)).contains("MemberDiscarded");
    } finally {
      watch.close();
      writer.close();
      node.powerOn();
      await("the node back").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
          .until(() -> dev.quorum.rig.RigNodes.isReady(kube.nodes().withName(failedNode).get()));
      kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).delete();
    }
  }

  /**
   * Three nodes of five fail, each holding a member of a 5-member cluster whose policy recovers by itself: quorum is
   * lost (the members' claims still exist, on nodes that do not answer); once it has been lost for the policy's
   * deadline the operator asks for a recovery from the survivor with the most data, and the cluster is Available
   * again with five voters on the nodes left, without a human, with every write etcd acknowledged before the loss.
   */
  @Test
  void threeOfFiveNodesFailingAreRecoveredFromByPolicyAfterItsDeadline() throws Exception {
    String cluster = "auto-recovery";
    EtcdCluster resource = new EtcdCluster();
    resource.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(cluster).withNamespace(ns)
        .build());
    resource.getSpec().setSize(5);
    resource.getSpec().getStorage().setSize("128Mi");
    QuorumLossPolicy policy = new QuorumLossPolicy();
    policy.setRecovery(QuorumLossPolicy.Recovery.Automatic);
    policy.setAfter(AUTOMATIC_AFTER.toSeconds() + "s");
    resource.getSpec().setQuorumLoss(policy);
    kube.resource(resource).create();
    await(cluster + " with five ready members").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          operator.assertAlive();
          return pods(cluster).stream().filter(Pods::isReady).count() == 5 && available(cluster);
        });
    ClientServiceWriter writer = new ClientServiceWriter(kube, ns, cluster + "-client", Duration.ofMillis(50));
    List<Integer> acknowledged;
    List<String> operatorNodes = infrastructureNodes();
    List<String> failed = pods(cluster).stream().map(p -> p.getSpec().getNodeName()).distinct()
        .filter(n -> !operatorNodes.contains(n)).sorted().limit(3).toList();
    assertThat(failed).as("three nodes with a member, without the operator or cluster DNS").hasSize(3);
    try {
      await("writes acknowledged").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
          .until(() -> writer.acknowledgedCount() > ClientServiceWriter.ENOUGH_WRITES);
      acknowledged = writer.stop().acknowledged();
      await("every member caught up").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
          .until(() -> kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).get().getStatus()
              .getMembers().stream().allMatch(m -> m.isReady() && Long.valueOf(0).equals(m.getRevisionLag())));
      java.time.Instant lossAt = java.time.Instant.now();
      failed.forEach(node -> RIG.rig().nodes().node(node).powerOff());

      java.util.concurrent.atomic.AtomicReference<String> last = new java.util.concurrent.atomic.AtomicReference<>();
      EtcdRecovery recovery = await("a recovery asked by the policy, and done").atMost(AUTOMATIC_AFTER.plus(
          RECOVERED_WITHIN)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            operator.assertAlive();
            EtcdRecovery current = kube.resources(EtcdRecovery.class).inNamespace(ns).list().getItems().stream()
                .filter(r -> cluster.equals(r.getSpec().getClusterName())).findFirst().orElse(null);
            EtcdCluster status = kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).get();
            String now = (current == null || current.getStatus() == null ? "no recovery yet"
                : current.getStatus().getPhase() + ": " + current.getStatus().getMessage()) + " | cluster: "
                + status.getStatus().getConditions().stream().map(c -> c.getType() + "=" + c.getReason() + ": "
                    + c.getMessage()).collect(java.util.stream.Collectors.joining("; "));
            if (!now.equals(last.getAndSet(now))) {
              System.out.println("recovery: " + now);
            }
            return current;
          }, r -> r != null && r.getStatus() != null && r.getStatus().getPhase() != null
              && r.getStatus().getPhase().finished());
      assertThat(recovery.getStatus().getPhase()).as(recovery.getStatus().getMessage())
          .isEqualTo(OperationPhase.Succeeded);
      assertThat(recovery.getMetadata().getName()).startsWith(cluster + "-auto-");
      assertThat(java.time.Instant.parse(recovery.getStatus().getStartTime()))
          .as("not before the policy's deadline").isAfterOrEqualTo(lossAt.plus(AUTOMATIC_AFTER));
      await(cluster + " Available with five voters").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
          .until(() -> available(cluster) && pods(cluster).stream().filter(Pods::isReady).count() == 5);
      System.out.printf("lost quorum to 3 failed nodes, Available again %d s later (policy deadline %d s)%n",
          Duration.between(lossAt, java.time.Instant.now()).toSeconds(), AUTOMATIC_AFTER.toSeconds());
      assertThat(pods(cluster)).extracting(p -> p.getSpec().getNodeName()).doesNotContainAnyElementsOf(failed);
      assertThat(writer.missing(acknowledged)).as("acknowledged writes lost").isEmpty();
      assertThat(MembershipClusters.reasons(kube, ns, cluster)).contains("QuorumLost", "RecoveryRequested",
          "RecoveryStarted", "Recovered");
    } finally {
      writer.close();
      failed.forEach(node -> RIG.rig().nodes().node(node).powerOn());
      await("the nodes back").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
          .until(() -> failed.stream().allMatch(n -> dev.quorum.rig.RigNodes.isReady(kube.nodes().withName(n).get())));
      kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).delete();
    }
  }

  /**
   * The nodes the operator's pod and the rig's one CoreDNS run on: neither fails here. The operator reaches members by
   * their DNS names, as a client in the cluster does; a node failure that takes cluster DNS too is not this test's.
   */
  private List<String> infrastructureNodes() {
    List<String> nodes = new java.util.ArrayList<>(operator.pods().stream().map(p -> p.getSpec().getNodeName())
        .toList());
    kube.pods().inNamespace("kube-system").withLabel("k8s-app", "kube-dns").list().getItems()
        .forEach(p -> nodes.add(p.getSpec().getNodeName()));
    return nodes;
  }

  private List<Pod> pods(String cluster) {
    return kube.pods().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", cluster).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  private boolean available(String cluster) {
    return dev.quorum.testing.Clusters.isAvailable(
        kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).get());
  }

  private List<Pod> memberPods() {
    return kube.pods().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", CLUSTER).list().getItems();
  }

  private void awaitThreeVoters() {
    await(CLUSTER + " with three voters").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          operator.assertAlive();
          return voters() == 3 && memberPods().stream().filter(Pods::isReady).count() == 3;
        });
  }

  private long voters() {
    EtcdCluster cluster = kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).get();
    if (cluster == null || cluster.getStatus() == null || cluster.getStatus().getMembers() == null) {
      return 0;
    }
    return cluster.getStatus().getMembers().stream()
        .filter(m -> m.getId() != null && !Boolean.TRUE.equals(m.getLearner()) && m.isReady())
        .count();
  }

  private String memberId(String member) {
    EtcdCluster cluster = kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).get();
    return cluster.getStatus().getMembers().stream().filter(m -> member.equals(m.getName()) && m.getId() != null)
        .map(m -> m.getId()).findFirst().orElse("");
  }
}
