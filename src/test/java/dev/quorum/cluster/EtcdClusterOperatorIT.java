package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorum.demo.Demo;
import dev.quorum.rig.LocalKubelet.ClientResult;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.RigSession;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The EtcdCluster operator end to end on the rig: the operator's jar against the real API server, the real
 * StatefulSet controller and real etcd processes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdClusterOperatorIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static final ObjectMapper JSON = new ObjectMapper();
  static String ns;
  static KubernetesClient kube;
  static OperatorProcess operator;

  @BeforeAll
  static void installCrdsAndStartOperator() {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    // a short refresh interval lets the "writes nothing" check span several reconciles
    operator = OperatorProcess.start(RIG.rig(), "operator-it", Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s"));
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  @Order(1)
  void exampleBecomesAThreeMemberEtcdCluster() throws Exception {
    List<HasMetadata> objects = kube.load(Files.newInputStream(Path.of("deploy/examples/etcdcluster.yaml"))).items();
    objects.forEach(o -> kube.resource(o).inNamespace(ns).serverSideApply());
    awaitStatus("demo", "Available with 3 ready members", Duration.ofMinutes(3),
        s -> condition(s, "Available").equals("True") && s.path("readyMembers").asInt() == 3);

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
    assertThat(kube.apps().statefulSets().inNamespace(ns).withName("demo").get().getSpec().getPodManagementPolicy())
        .isEqualTo("Parallel");
    assertThat(kube.policy().v1().podDisruptionBudget().inNamespace(ns).withName("demo").get().getSpec()
        .getMinAvailable().getIntVal()).isEqualTo(2);
  }

  @Test
  @Order(2)
  void reconcilingAnUnchangedClusterWritesNothing() {
    Map<String, String> before = resourceVersionsWithCluster("demo");
    // the operator re-reads the cluster every 2s here: five periods without a single write
    await().pollDelay(Duration.ZERO).during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(15))
        .until(() -> resourceVersionsWithCluster("demo").equals(before));
    assertThat(before).hasSize(5);
  }

  @Test
  @Order(3)
  void killedMemberShowsAsDegradedAndRecovers() {
    String victim = "demo-1";
    assertThat(RIG.rig().kubelet().killContainer(ns, victim, "etcd", Duration.ofSeconds(15))).isTrue();
    awaitStatus("demo", "Degraded with 2 ready members, still Available", Duration.ofSeconds(60),
        s -> condition(s, "Degraded").equals("True") && s.path("readyMembers").asInt() == 2
            && condition(s, "Available").equals("True") && s.path("faultTolerance").asInt() == 0);
    awaitStatus("demo", "recovered", Duration.ofMinutes(2),
        s -> condition(s, "Degraded").equals("False") && s.path("readyMembers").asInt() == 3);
    assertThat(etcdctl("--endpoints=" + clientUrl("demo"), "get", "/it/key", "--print-value-only").output().strip())
        .isEqualTo("value");
  }

  @Test
  @Order(4)
  void pausedClusterIsLeftAloneButStillReported() {
    setPaused("demo", true);
    awaitStatus("demo", "paused seen by the operator", Duration.ofSeconds(30), s -> {
      for (JsonNode c : s.path("conditions")) {
        if ("Progressing".equals(c.path("type").asText())) {
          return "Paused".equals(c.path("reason").asText());
        }
      }
      return false;
    });
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
  @Order(5)
  void deletingTheClusterRemovesWhatItOwns() {
    cluster("demo").delete();
    await("children garbage-collected").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> childResourceVersions("demo").isEmpty());
    // claims are retained by default: the data outlives the cluster object
    assertThat(kube.persistentVolumeClaims().inNamespace(ns).list().getItems()).hasSize(3);
  }

  @Test
  @Order(6)
  void specThatGotPastAdmissionIsRefusedWithAConditionAndAnEvent() throws IOException {
    try {
      installCrdWithoutValidationRules();
      GenericKubernetesResource even = new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
          .withApiVersion("etcd.quorum.dev/v1alpha1").withKind("EtcdCluster")
          .withNewMetadata().withName("even").withNamespace(ns).endMetadata()
          .addToAdditionalProperties("spec", Map.of("size", 4)).build();
      await("size 4 admitted by the rule-less CRD").atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> clusters().resource(even).create() != null);

      awaitStatus("even", "Degraded/InvalidSpec", Duration.ofSeconds(60), s -> {
        for (JsonNode c : s.path("conditions")) {
          if ("Degraded".equals(c.path("type").asText())) {
            return "True".equals(c.path("status").asText()) && "InvalidSpec".equals(c.path("reason").asText())
                && c.path("message").asText().contains("odd");
          }
        }
        return false;
      });
      await("InvalidSpec event").atMost(Duration.ofSeconds(30)).until(() -> kube.v1().events().inNamespace(ns).list()
          .getItems().stream().anyMatch(e -> "InvalidSpec".equals(e.getReason())
              && "even".equals(e.getInvolvedObject().getName())));
      assertThat(childResourceVersions("even")).as("nothing created for an invalid spec").isEmpty();
      assertThat(operator.isAlive()).isTrue();
    } finally {
      clusters().withName("even").delete();
      RIG.installQuorumCrds();
    }
  }

  // ---- helpers ----

  @SuppressWarnings("unchecked")
  static void setPaused(String name, boolean paused) {
    cluster(name).edit(c -> {
      ((Map<String, Object>) c.getAdditionalProperties().get("spec")).put("paused", paused);
      return c;
    });
  }

  @SuppressWarnings("unchecked")
  static void installCrdWithoutValidationRules() throws IOException {
    for (Path crd : dev.quorum.rig.QuorumCrds.files()) {
      Map<String, Object> object = JSON.convertValue(new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
          .readValue(crd.toFile(), Map.class), Map.class);
      stripValidations(object);
      kube.resource(JSON.convertValue(object,
          io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class))
          .forceConflicts().serverSideApply();
    }
  }

  @SuppressWarnings("unchecked")
  static void stripValidations(Object node) {
    if (node instanceof Map<?, ?> map) {
      ((Map<String, Object>) map).remove("x-kubernetes-validations");
      ((Map<String, Object>) map).remove("maximum");
      ((Map<String, Object>) map).remove("minimum");
      map.values().forEach(EtcdClusterOperatorIT::stripValidations);
    } else if (node instanceof List<?> list) {
      list.forEach(EtcdClusterOperatorIT::stripValidations);
    }
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

  static String condition(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c.path("status").asText();
      }
    }
    return "";
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

  static Map<String, String> childResourceVersions(String name) {
    Map<String, String> versions = new java.util.TreeMap<>();
    var sts = kube.apps().statefulSets().inNamespace(ns).withName(name).get();
    var peer = kube.services().inNamespace(ns).withName(name).get();
    var client = kube.services().inNamespace(ns).withName(name + "-client").get();
    var pdb = kube.policy().v1().podDisruptionBudget().inNamespace(ns).withName(name).get();
    if (sts != null) {
      versions.put("statefulset", sts.getMetadata().getResourceVersion());
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
