package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.DOUBLE;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorum.demo.Demo;
import dev.quorum.rig.ChartOperator;
import dev.quorum.rig.ClientResult;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.OperatorMetrics;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The EtcdCluster operator end to end on the rig: the operator's jar against the real API server, the real
 * garbage collector and real etcd processes in the member pods the operator owns.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdClusterOperatorIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession().withOperator(Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s"));
  static final ObjectMapper JSON = new ObjectMapper();
  static String ns;
  static KubernetesClient kube;
  static ChartOperator operator;

  @BeforeAll
  static void installCrdsAndStartOperator() {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    // a short refresh interval lets the "writes nothing" check span several reconciles
    operator = RIG.operator();
  }

  @Test
  @Order(1)
  void exampleBecomesAThreeMemberEtcdCluster() throws Exception {
    List<HasMetadata> objects = kube.load(Files.newInputStream(Path.of("deploy/examples/etcdcluster.yaml"))).items();
    objects.forEach(o -> kube.resource(o).inNamespace(ns).serverSideApply());
    // what etcd says (version, leader) follows once the members' new DNS names resolve for the operator
    awaitStatus("demo", "Available with 3 ready members, etcd's view read", Duration.ofMinutes(3),
        s -> condition(s, "Available").equals("True") && s.path("readyMembers").asInt() == 3
            && !s.path("version").asText().isEmpty() && !s.path("leader").asText().isEmpty());

    JsonNode status = status("demo");
    assertThat(status.path("members")).hasSize(3);
    status.path("members").forEach(m -> assertThat(m.path("ready").asBoolean()).as(m.toString()).isTrue());
    assertThat(status.path("version").asText()).isEqualTo("3.6.16");
    assertThat(status.path("quorum").asInt()).isEqualTo(2);
    assertThat(status.path("faultTolerance").asInt()).isEqualTo(1);
    assertThat(status.path("observedGeneration").asLong()).isEqualTo(cluster("demo").get().getMetadata().getGeneration());
    assertThat(condition(status, "Degraded")).isEqualTo("False");
    assertThat(status.path("clientEndpoint").asText()).isEqualTo("demo-client." + ns + ".svc.cluster.local:2379");

    // the leader in status is the one etcd itself reports
    ClientResult endpointStatus = etcdctl("--endpoints=" + clientUrl("demo"), "endpoint", "status", "--cluster", "-w", "json");
    assertThat(endpointStatus.exitCode()).as(endpointStatus.output()).isZero();
    long leaderId = JSON.readTree(endpointStatus.output()).get(0).path("Status").path("leader").asLong();
    String leaderName = status.path("leader").asText();
    JsonNode leaderMember = Stream.of(JSON.convertValue(status.path("members"), JsonNode[].class))
        .filter(m -> m.path("name").asText().equals(leaderName)).findFirst().orElseThrow();
    assertThat(Long.parseUnsignedLong(leaderMember.path("id").asText(), 16)).isEqualTo(leaderId);

    // clients reach the cluster through its client Service
    assertThat(etcdctl("--endpoints=" + clientUrl("demo"), "put", "/it/key", "value").output()).contains("OK");
    assertThat(etcdctl("--endpoints=" + clientUrl("demo"), "get", "/it/key", "--print-value-only").output().strip())
        .isEqualTo("value");

    // one pod per member, owned by the cluster, each founded with every member's stable DNS peer URL
    String founders = "demo-0=" + peerUrl("demo", 0) + ",demo-1=" + peerUrl("demo", 1) + ",demo-2=" + peerUrl("demo", 2);
    List<Pod> pods = memberPods("demo");
    assertThat(pods).extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("demo-0", "demo-1", "demo-2");
    pods.forEach(p -> {
      assertThat(p.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(o -> assertThat(o.getKind()).isEqualTo("EtcdCluster"))
          .satisfies(o -> assertThat(o.getController()).isTrue());
      assertThat(p.getSpec().getSubdomain()).isEqualTo("demo");
      assertThat(etcdArgs(p)).contains("--initial-cluster=" + founders, "--initial-cluster-state=new",
          "--advertise-client-urls=http://" + p.getMetadata().getName() + ".demo." + ns + ".svc.cluster.local:2379");
    });
    // each member runs in a container under its pod's security context: the pod's user, a read-only root
    for (Pod pod : pods) {
      long uid = pod.getSpec().getSecurityContext().getRunAsUser();
      ProcessHandle etcd = RIG.rig().containerProcess(ns, pod.getMetadata().getName(), "etcd");
      assertThat(Files.readString(Path.of("/proc", Long.toString(etcd.pid()), "status")))
          .containsPattern("(?m)^Uid:\\s+" + uid + "\\s+" + uid + "\\s+" + uid + "\\s+" + uid + "$");
      var out = new java.io.ByteArrayOutputStream();
      try (var exec = kube.pods().inNamespace(ns).withName(pod.getMetadata().getName()).inContainer("etcd")
          .writingOutput(out).writingError(out)
          .exec("/usr/local/bin/etcdctl", "snapshot", "save", "/written-to-root.db")) {
        assertThat(exec.exitCode().get(30, java.util.concurrent.TimeUnit.SECONDS)).isNotZero();
      }
      assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("read-only file system");
    }
    assertThat(kube.configMaps().inNamespace(ns).withName("demo-members").get().getData())
        .containsOnlyKeys("demo-0", "demo-1", "demo-2")
        .allSatisfy((member, record) -> assertThat(record).contains("initial-cluster-state: new"));
    // the operator reached the members by their DNS names: its status lists what etcd reported
    assertThat(status.path("members").get(0).path("clientURL").asText())
        .isEqualTo("http://demo-0.demo." + ns + ".svc.cluster.local:2379");
    assertThat(kube.policy().v1().podDisruptionBudget().inNamespace(ns).withName("demo").get().getSpec()
        .getMinAvailable().getIntVal()).isEqualTo(2);

    // the operator's metrics say the same, per cluster and per member
    awaitHealth("demo", "healthy", Map.of("quorum_cluster_members_ready", 3.0, "quorum_cluster_voters", 3.0,
        "quorum_cluster_fault_tolerance", 1.0, "quorum_cluster_has_leader", 1.0));
    String scrape = OperatorMetrics.scrape(operator.metricsUrl());
    for (int i = 0; i < 3; i++) {
      Map<String, String> member = Map.of("namespace", ns, "cluster", "demo", "member", "demo-" + i);
      assertThat(OperatorMetrics.value(scrape, "quorum_member_up", member)).contains(1.0);
      assertThat(OperatorMetrics.value(scrape, "quorum_member_database_size_bytes", member)).get(DOUBLE)
          .isGreaterThan(0);
      assertThat(OperatorMetrics.value(scrape, "quorum_member_raft_index_lag", member)).isPresent();
    }
    assertThat(OperatorMetrics.value(scrape, "quorum_member_leader", Map.of("namespace", ns, "member", leaderName)))
        .contains(1.0);
    assertThat(OperatorMetrics.value(scrape, "quorum_cluster_alarms", Map.of("namespace", ns, "cluster", "demo",
        "alarm", "NOSPACE"))).contains(0.0);
    // and the operator SDK's reconciliation metrics, per controller
    assertThat(OperatorMetrics.value(scrape, "reconciliations_started_total", Map.of("controller_name",
        EtcdClusterReconciler.NAME))).get(DOUBLE).isGreaterThan(0);
  }

  @Test
  @Order(2)
  void reconcilingAnUnchangedClusterWritesNothing() {
    Map<String, String> before = resourceVersionsWithCluster("demo");
    // the operator re-reads the cluster every 2s here: five periods without a single write
    await().pollDelay(Duration.ZERO).during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(15))
        .until(() -> resourceVersionsWithCluster("demo").equals(before));
    assertThat(before).hasSize(8);
  }

  @Test
  @Order(3)
  void killedMemberShowsAsDegradedAndRecovers() throws Exception {
    String victim = "demo-1";
    RIG.rig().faults().breakContainer(ns, victim, "etcd", Duration.ofSeconds(15));
    awaitStatus("demo", "Degraded with 2 ready members, still Available", Duration.ofSeconds(60),
        s -> condition(s, "Degraded").equals("True") && s.path("readyMembers").asInt() == 2
            && condition(s, "Available").equals("True") && s.path("faultTolerance").asInt() == 0);
    awaitHealth("demo", "quorum at risk", Map.of("quorum_cluster_fault_tolerance", 0.0,
        "quorum_cluster_members_ready", 2.0));
    assertThat(OperatorMetrics.value(scrape(), "quorum_member_up", Map.of("namespace", ns, "member", victim)))
        .contains(0.0);
    awaitStatus("demo", "recovered", Duration.ofMinutes(2),
        s -> condition(s, "Degraded").equals("False") && s.path("readyMembers").asInt() == 3);
    awaitHealth("demo", "healthy again", Map.of("quorum_cluster_fault_tolerance", 1.0,
        "quorum_cluster_members_ready", 3.0));
    assertThat(etcdctl("--endpoints=" + clientUrl("demo"), "get", "/it/key", "--print-value-only").output().strip())
        .isEqualTo("value");
  }

  @Test
  @Order(4)
  void aSpecChangeRollsOneMemberAtATimeLeaderLast() {
    Map<String, String> before = podUids("demo");
    editSpec("demo", spec -> spec.put("etcd", Map.of("snapshotCount", 20000)));
    List<String> replaced = new java.util.ArrayList<>();
    int[] fewestReady = {3};
    await("every member restarted with the new spec").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          List<Pod> pods = memberPods("demo");
          fewestReady[0] = Math.min(fewestReady[0], (int) pods.stream().filter(EtcdClusterOperatorIT::ready).count());
          pods.stream().filter(p -> !p.getMetadata().getUid().equals(before.get(p.getMetadata().getName())))
              .map(p -> p.getMetadata().getName()).filter(n -> !replaced.contains(n)).forEach(replaced::add);
          return replaced.size() == 3 && pods.stream().allMatch(p -> etcdArgs(p).contains("--snapshot-count=20000"))
              && condition(status("demo"), "Progressing").equals("False")
              && status("demo").path("readyMembers").asInt() == 3;
        });
    assertThat(fewestReady[0]).as("a quorum of member pods stayed ready throughout the roll").isGreaterThanOrEqualTo(2);
    List<String> rollEvents = kube.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> "RollingUpdate".equals(e.getReason()) && "demo".equals(e.getInvolvedObject().getName()))
        .map(e -> e.getMessage()).toList();
    assertThat(rollEvents).hasSize(3);
    String last = replaced.get(2);
    assertThat(rollEvents).anyMatch(m -> m.startsWith("restarting " + last + " ") && m.contains("2 of 3"));
    assertThat(kube.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> "LeaderMoved".equals(e.getReason()) && "demo".equals(e.getInvolvedObject().getName()))
        .map(e -> e.getMessage())).as("the member replaced last was the leader: it handed leadership over first")
        .anyMatch(m -> m.startsWith("leadership moved from " + last + " to "));
    assertThat(kube.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> "demo".equals(e.getInvolvedObject().getName())).map(e -> e.getReason()))
        .as("each member restarts only once the operator reaches the one before: it never sees a quorum lost")
        .doesNotContain("QuorumLost");
    assertThat(etcdctl("--endpoints=" + clientUrl("demo"), "get", "/it/key", "--print-value-only").output().strip())
        .isEqualTo("value");
  }

  @Test
  @Order(5)
  void aMemberRecordedAsJoiningAnExistingClusterStartsWithExactlyThoseFlags() {
    GenericKubernetesResource seam = new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
        .withApiVersion("etcd.quorum.dev/v1alpha1").withKind("EtcdCluster")
        .withNewMetadata().withName("seam").withNamespace(ns).endMetadata()
        .addToAdditionalProperties("spec", Map.of("size", 3, "storage", Map.of("ephemeral", true))).build();
    clusters().resource(seam).create();
    try {
      awaitStatus("seam", "Available with 3 ready members", Duration.ofMinutes(2),
          s -> condition(s, "Available").equals("True") && s.path("readyMembers").asInt() == 3);
      Map<String, String> othersBefore = podUids("seam");
      othersBefore.remove("seam-2");
      Map<String, Integer> restartsBefore = restarts("seam");
      String members = "seam-0=" + peerUrl("seam", 0) + ",seam-1=" + peerUrl("seam", 1) + ",seam-2=" + peerUrl("seam", 2);
      String token = kube.configMaps().inNamespace(ns).withName("seam-members").get().getData().get("seam-2").lines()
          .filter(l -> l.startsWith("initial-cluster-token: ")).findFirst().orElseThrow().substring(23);

      // by hand, as membership will do it: seam-2 leaves and joins again as a new member with empty data
      setPaused("seam", true);
      awaitStatus("seam", "paused seen by the operator", Duration.ofSeconds(30), s -> reason(s, "Progressing").equals("Paused"));
      kube.configMaps().inNamespace(ns).withName("seam-members").edit(cm -> {
        cm.getData().put("seam-2", "initial-cluster: " + members + "\ninitial-cluster-state: existing\n"
            + "initial-cluster-token: " + token + "\n");
        return cm;
      });
      String oldId = memberId("seam", "seam-2");
      // asked of seam-0 directly: the client Service may route to seam-2, which stops once it is removed;
      // etcd refuses a removal until the remaining members have been connected for a while ("unhealthy cluster")
      String seam0 = "--endpoints=http://seam-0.seam." + ns + ".svc.cluster.local:2379";
      await("seam-2 removed through etcd").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
          .until(() -> etcdctl(seam0, "member", "remove", oldId).exitCode() == 0);
      await("seam-2 added again as a new member").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
          .until(() -> etcdctl(seam0, "member", "add", "seam-2", "--peer-urls=" + peerUrl("seam", 2)).exitCode() == 0
              || etcdctl(seam0, "member", "list").output().contains(peerUrl("seam", 2)));
      String oldPod = kube.pods().inNamespace(ns).withName("seam-2").get().getMetadata().getUid();
      kube.pods().inNamespace(ns).withName("seam-2").delete(); // its emptyDir data goes with it
      await("old seam-2 pod gone").atMost(Duration.ofSeconds(60)).until(() -> {
        Pod p = kube.pods().inNamespace(ns).withName("seam-2").get();
        return p == null || !p.getMetadata().getUid().equals(oldPod);
      });
      setPaused("seam", false);

      // the status may still show the three members of before the pause for a pass: the new pod is awaited itself
      await("seam-2 created again and ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
          .until(() -> {
            Pod p = kube.pods().inNamespace(ns).withName("seam-2").get();
            return p != null && !p.getMetadata().getUid().equals(oldPod) && ready(p);
          });
      awaitStatus("seam", "Available with 3 ready members again", Duration.ofMinutes(2),
          s -> condition(s, "Available").equals("True") && s.path("readyMembers").asInt() == 3);
      Pod joined = kube.pods().inNamespace(ns).withName("seam-2").get();
      assertThat(etcdArgs(joined)).contains("--initial-cluster=" + members, "--initial-cluster-state=existing",
          "--initial-cluster-token=" + token);
      assertThat(etcdArgs(joined).stream().filter(a -> a.startsWith("--initial-cluster"))).hasSize(3);
      ClientResult list = etcdctl("--endpoints=" + clientUrl("seam"), "member", "list");
      assertThat(list.output().lines().filter(l -> l.contains(", started, seam-"))).as(list.output()).hasSize(3);
      assertThat(memberId("seam", "seam-2")).isNotEqualTo(oldId);
      // the other members were not touched: same pods, no restarts
      Map<String, String> othersAfter = podUids("seam");
      othersAfter.remove("seam-2");
      assertThat(othersAfter).isEqualTo(othersBefore);
      Map<String, Integer> restartsAfter = restarts("seam");
      assertThat(restartsAfter.get("seam-0")).isEqualTo(restartsBefore.get("seam-0"));
      assertThat(restartsAfter.get("seam-1")).isEqualTo(restartsBefore.get("seam-1"));
    } finally {
      cluster("seam").delete();
    }
  }

  @Test
  @Order(6)
  void pausedClusterIsLeftAloneButStillReported() {
    setPaused("demo", true);
    awaitStatus("demo", "paused seen by the operator", Duration.ofSeconds(30),
        s -> reason(s, "Progressing").equals("Paused"));
    kube.policy().v1().podDisruptionBudget().inNamespace(ns).withName("demo").delete();
    // five refresh periods of the operator: a paused cluster's missing PDB stays missing
    await().pollDelay(Duration.ZERO).during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(15))
        .until(() -> kube.policy().v1().podDisruptionBudget().inNamespace(ns).withName("demo").get() == null);
    assertThat(status("demo").path("readyMembers").asInt()).isEqualTo(3);

    setPaused("demo", false);
    await("PDB restored once unpaused").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> kube.policy().v1().podDisruptionBudget().inNamespace(ns).withName("demo").get() != null);
  }

  @Test
  @Order(7)
  void deletingTheClusterRemovesWhatItOwns() {
    cluster("demo").delete();
    await("children garbage-collected").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> childResourceVersions("demo").isEmpty());
    // claims are retained by default: the data outlives the cluster object
    assertThat(kube.persistentVolumeClaims().inNamespace(ns).list().getItems()).hasSize(3);
    // and no series says a member of a cluster that is gone is down
    await("the deleted cluster's series dropped").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
        .until(() -> OperatorMetrics.names(scrape(), Map.of("namespace", ns, "cluster", "demo")).stream()
            .noneMatch(name -> name.startsWith("quorum_cluster_") || name.startsWith("quorum_member_")));
  }

  /**
   * A spec admission cannot judge (CEL checks a schedule's shape, not that its time zone exists) is refused by the
   * operator with a condition and an event, and nothing is made for it.
   */
  @Test
  @Order(8)
  void specThatGotPastAdmissionIsRefusedWithAConditionAndAnEvent() {
    String name = "mars";
    GenericKubernetesResource onMars = new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
        .withApiVersion("etcd.quorum.dev/v1alpha1").withKind("EtcdCluster")
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .addToAdditionalProperties("spec", Map.of("defragmentation",
            Map.of("schedule", "0 3 * * *", "timeZone", "Mars/Olympus_Mons")))
        .build();
    try {
      clusters().resource(onMars).create();
      awaitStatus(name, "Degraded/InvalidSpec", Duration.ofSeconds(60), s -> {
        for (JsonNode c : s.path("conditions")) {
          if ("Degraded".equals(c.path("type").asText())) {
            return "True".equals(c.path("status").asText()) && "InvalidSpec".equals(c.path("reason").asText())
                && c.path("message").asText().contains("Mars/Olympus_Mons is not an IANA time zone");
          }
        }
        return false;
      });
      await("InvalidSpec event").atMost(Duration.ofSeconds(30)).until(() -> kube.v1().events().inNamespace(ns).list()
          .getItems().stream().anyMatch(e -> "InvalidSpec".equals(e.getReason())
              && name.equals(e.getInvolvedObject().getName())));
      assertThat(childResourceVersions(name)).as("nothing created for an invalid spec").isEmpty();
      assertThat(operator.isAlive()).isTrue();
    } finally {
      clusters().withName(name).delete();
    }
  }

  // ---- helpers ----

  static void setPaused(String name, boolean paused) {
    editSpec(name, spec -> spec.put("paused", paused));
  }

  /** Edits the spec as read; again on a conflict (the operator wrote the object meanwhile, as a user may meet). */
  @SuppressWarnings("unchecked")
  static void editSpec(String name, java.util.function.Consumer<Map<String, Object>> change) {
    await("edited " + name).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k && k.getCode() == 409)
        .until(() -> cluster(name).edit(c -> {
          change.accept((Map<String, Object>) c.getAdditionalProperties().get("spec"));
          return c;
        }) != null);
  }

  static List<Pod> memberPods(String name) {
    return kube.pods().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", name).list().getItems();
  }

  static Map<String, String> podUids(String name) {
    Map<String, String> uids = new java.util.TreeMap<>();
    memberPods(name).forEach(p -> uids.put(p.getMetadata().getName(), p.getMetadata().getUid()));
    return uids;
  }

  static Map<String, Integer> restarts(String name) {
    Map<String, Integer> restarts = new java.util.TreeMap<>();
    memberPods(name).forEach(p -> restarts.put(p.getMetadata().getName(), p.getStatus().getContainerStatuses().stream()
        .mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount()).sum()));
    return restarts;
  }

  static boolean ready(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
        && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static List<String> etcdArgs(Pod pod) {
    return pod.getSpec().getContainers().get(0).getArgs();
  }

  static String peerUrl(String cluster, int ordinal) {
    return "http://" + cluster + "-" + ordinal + "." + cluster + "." + ns + ".svc.cluster.local:2380";
  }

  /** The member's ID in hex, as etcdctl takes it. */
  static String memberId(String cluster, String member) {
    ClientResult list = etcdctl("--endpoints=http://" + cluster + "-0." + cluster + "." + ns + ".svc.cluster.local:2379",
        "member", "list", "-w", "json");
    try {
      for (JsonNode m : JSON.readTree(list.output()).path("members")) {
        if (member.equals(m.path("name").asText())) {
          return Long.toHexString(m.path("ID").asLong());
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(list.output(), e);
    }
    throw new IllegalStateException(member + " is not in " + list.output());
  }

  static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> clusters() {
    return kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns);
  }

  static Resource<GenericKubernetesResource> cluster(String name) {
    return clusters().withName(name);
  }

  static JsonNode status(String name) {
    GenericKubernetesResource cluster = cluster(name).get();
    return cluster == null ? JSON.createObjectNode() : JSON.valueToTree(cluster.getAdditionalProperties().get("status"));
  }

  static String reason(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c.path("reason").asText();
      }
    }
    return "";
  }

  static String condition(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c.path("status").asText();
      }
    }
    return "";
  }

  static String scrape() throws Exception {
    return OperatorMetrics.scrape(operator.metricsUrl());
  }

  /** Waits until each of the cluster's series named reads its value. */
  static void awaitHealth(String name, String what, Map<String, Double> values) {
    Map<String, String> cluster = Map.of("namespace", ns, "cluster", name);
    await(name + " metrics: " + what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
      String scrape = scrape();
      return values.entrySet().stream().allMatch(v ->
          OperatorMetrics.value(scrape, v.getKey(), cluster).filter(v.getValue()::equals).isPresent());
    });
  }

  static void awaitStatus(String name, String what, Duration timeout, java.util.function.Predicate<JsonNode> condition) {
    await(name + ": " + what).atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> {
      if (!operator.isAlive()) {
        throw new IllegalStateException("the operator exited:\n" + operator.logTail(40));
      }
      return condition.test(status(name));
    });
  }

  /** The children's resourceVersions, and the cluster's own: a status patch on every reconcile is a write too. */
  static Map<String, String> resourceVersionsWithCluster(String name) {
    Map<String, String> versions = childResourceVersions(name);
    versions.put("etcdcluster", cluster(name).get().getMetadata().getResourceVersion());
    return versions;
  }

  /** Children's resourceVersions; member pods by UID, as their status changes with every probe transition. */
  static Map<String, String> childResourceVersions(String name) {
    Map<String, String> versions = new java.util.TreeMap<>();
    memberPods(name).forEach(p -> versions.put("pod " + p.getMetadata().getName(), p.getMetadata().getUid()));
    var members = kube.configMaps().inNamespace(ns).withName(name + "-members").get();
    var peer = kube.services().inNamespace(ns).withName(name).get();
    var client = kube.services().inNamespace(ns).withName(name + "-client").get();
    var pdb = kube.policy().v1().podDisruptionBudget().inNamespace(ns).withName(name).get();
    if (members != null) {
      versions.put("members-configmap", members.getMetadata().getResourceVersion());
    }
    if (peer != null) {
      versions.put("peer-service", peer.getMetadata().getResourceVersion());
    }
    if (client != null) {
      versions.put("client-service", client.getMetadata().getResourceVersion());
    }
    if (pdb != null) {
      versions.put("pdb", pdb.getMetadata().getResourceVersion());
    }
    return versions;
  }

  static String clientUrl(String name) {
    return "http://" + name + "-client." + ns + ".svc.cluster.local:2379";
  }

  static ClientResult etcdctl(String... args) {
    return RIG.etcdctl(args);
  }
}
