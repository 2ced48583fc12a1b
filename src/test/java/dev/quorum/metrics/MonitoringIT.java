package dev.quorum.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.rig.ChartOperator;
import dev.quorum.rig.PrometheusServer;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.Clusters;
import dev.quorum.testing.MembershipClusters;
import dev.quorum.testing.PodMonitorTargets;
import dev.quorum.testing.TestBackups;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's health series seen through a real Prometheus on the rig, as a user's would: it scrapes the targets
 * the chart's PodMonitor renders to and evaluates the chart's alert rules. A member broken until the cluster's fault
 * tolerance is 0 fires the quorum alert through Prometheus' API, and it clears once the member is replaced; a failed
 * backup fires the backup alert; every panel query of the chart's dashboard returns data.
 *
 * <p>The rules are the chart's file with each {@code for} cut to {@link #RIG_FOR}: the real durations are what
 * promtool's unit tests hold (AlertRulesIT); here what matters is that the expressions fire on the real series.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitoringIT {

  static final Path RULES = Path.of("helm/quorum/files/alerts.yaml");
  static final Path DASHBOARD = Path.of("helm/quorum/files/dashboard.json");
  static final Duration SCRAPE = Duration.ofSeconds(2);
  static final String RIG_FOR = "6s";
  static final String CLUSTER = "watched";

  @RegisterExtension
  static final RigSession RIG = new RigSession().withOperator(Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s",
      "QUORUM_MEMBERSHIP_REPLACE_BROKEN_AFTER", "30s"));
  static String ns;
  static KubernetesClient kube;
  static ChartOperator operator;
  static PrometheusServer prometheus;

  @BeforeAll
  static void operatorAndPrometheus() throws IOException {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    operator = RIG.operator();
    Path dir = RIG.rig().logs().resolve("prometheus-" + ns);
    Files.createDirectories(dir);
    prometheus = new PrometheusServer(RIG.rig().tools(), dir, SCRAPE, List.of(rulesForTheRig(dir)));
    prometheus.scrape(PodMonitorTargets.render(kube, operator.podMonitor()));
    MembershipClusters.create(kube, ns, CLUSTER, null);
    Clusters.awaitAvailable(kube, ns, CLUSTER, operator);
  }

  @AfterAll
  static void stopPrometheus() {
    if (prometheus != null) {
      prometheus.close();
    }
  }

  @Test
  @Order(1)
  void quorumAtRiskFiresThroughPrometheusAndClearsOnceTheBrokenMemberIsReplaced() {
    awaitValue("quorum_cluster_fault_tolerance" + selector(), 1);
    assertThat(firing("EtcdClusterQuorumAtRisk")).isEmpty();

    // one member of three down for longer than the replace deadline: the cluster stays Available with no margin
    RIG.rig().faults().breakContainer(ns, CLUSTER + "-1", "etcd", Duration.ofMinutes(10));

    await("EtcdClusterQuorumAtRisk firing").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
        .until(() -> !firing("EtcdClusterQuorumAtRisk").isEmpty());
    JsonNode alert = firing("EtcdClusterQuorumAtRisk").get(0);
    assertThat(alert.path("labels").path("namespace").asText()).isEqualTo(ns);
    assertThat(alert.path("annotations").path("runbook").asText()).contains("kubectl describe etcdcluster -n " + ns
        + " " + CLUSTER);
    await("EtcdMemberDown firing for " + CLUSTER + "-1").atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofSeconds(1)).until(() -> firing("EtcdMemberDown").stream()
            .anyMatch(a -> (CLUSTER + "-1").equals(a.path("labels").path("member").asText())));

    // the operator replaces it (a new member on an empty volume): the margin is back, and the alerts clear
    await("the alerts cleared").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2))
        .until(() -> firing("EtcdClusterQuorumAtRisk").isEmpty() && firing("EtcdMemberDown").isEmpty());
    assertThat(prometheus.query("quorum_cluster_fault_tolerance" + selector()).get(0).path("value").get(1).asText())
        .isEqualTo("1");
    assertThat(MembershipClusters.reasons(kube, ns, CLUSTER)).contains("MemberDiscarded");
  }

  @Test
  @Order(2)
  void aFailedBackupFiresTheBackupAlert() {
    TestBackups.createCredentials(kube, ns, "s3", RIG.rig().s3());
    EtcdBackupStatus succeeded = TestBackups.backUpToNewBucket(kube, RIG.rig().s3(), ns, "good", CLUSTER,
        operator::assertAlive);
    assertThat(succeeded.getPhase()).as(succeeded.getMessage()).isEqualTo(OperationPhase.Succeeded);
    // a bucket that does not exist: refused for good, no retries
    kube.resources(EtcdBackup.class).inNamespace(ns).resource(TestBackups.toS3(ns, "to-nowhere", CLUSTER,
        RIG.rig().s3(), "no-such-bucket-" + System.nanoTime(), "s3", null)).create();
    EtcdBackupStatus failed = TestBackups.awaitFinished(kube, ns, "to-nowhere", operator::assertAlive,
        Duration.ofMinutes(3));
    assertThat(failed.getPhase()).as(failed.getMessage()).isEqualTo(OperationPhase.Failed);

    await("EtcdBackupFailing firing").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
        .until(() -> firing("EtcdBackupFailing").stream()
            .anyMatch(a -> failed.getReason().equals(a.path("labels").path("reason").asText())));
    assertThat(firing("EtcdBackupStale")).as("a backup succeeded just now").isEmpty();
  }

  /** Runs after the others: by then a member was replaced and a backup succeeded and failed, so each panel has data. */
  @Test
  @Order(3)
  void everyPanelQueryOfTheDashboardReturnsData() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> queries = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        queries.add(panel.path("title").asText() + ": " + target.path("expr").asText());
      }
    }
    assertThat(queries).hasSizeGreaterThan(20);

    List<String> empty = new ArrayList<>();
    for (String query : queries) {
      String expr = query.substring(query.indexOf(": ") + 2).replace("$namespace", ns).replace("$cluster", CLUSTER);
      if (prometheus.query(expr).isEmpty()) {
        empty.add(query);
      }
    }
    assertThat(empty).as("panel queries without data").isEmpty();
  }

  private static String selector() {
    return "{namespace=\"" + ns + "\",cluster=\"" + CLUSTER + "\"}";
  }

  private static void awaitValue(String query, double value) {
    await(query + " = " + value + " in Prometheus").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          JsonNode result = prometheus.query(query);
          return result.size() == 1 && Double.parseDouble(result.get(0).path("value").get(1).asText()) == value;
        });
  }

  /** The firing alerts of that name about this test's cluster. */
  private static List<JsonNode> firing(String name) {
    return StreamSupport.stream(prometheus.alerts().spliterator(), false)
        .filter(a -> name.equals(a.path("labels").path("alertname").asText()))
        .filter(a -> "firing".equals(a.path("state").asText()))
        .filter(a -> ns.equals(a.path("labels").path("namespace").asText())
            && CLUSTER.equals(a.path("labels").path("cluster").asText()))
        .toList();
  }

  /** The chart's rules, every {@code for} cut to {@link #RIG_FOR}. */
  @SuppressWarnings("unchecked")
  private static Path rulesForTheRig(Path dir) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Map<String, Object> rules = yaml.readValue(RULES.toFile(), Map.class);
    for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        rule.computeIfPresent("for", (key, value) -> RIG_FOR);
      }
    }
    Path written = dir.resolve("alerts-rig.yaml");
    yaml.writeValue(written.toFile(), rules);
    return written;
  }
}
