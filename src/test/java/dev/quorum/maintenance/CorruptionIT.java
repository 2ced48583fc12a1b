package dev.quorum.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.api.v1alpha1.MaintenanceStatus;
import dev.quorum.api.v1alpha1.MemberStatus;
import dev.quorum.rig.ClientResult;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.ClientServiceWriter;
import dev.quorum.testing.Clusters;
import dev.quorum.testing.TestEtcd;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd's CORRUPT alarm on the rig, from real divergence: one byte of a value changed on a member's disk under its
 * running etcd. The compaction hash check the operator turns on finds it at the next compaction, etcd raises CORRUPT
 * on that member and refuses writes; the operator reports it (status, Available and Degraded, an event), confirms with
 * the members' hashes which one differs, replaces it with a new member copying the majority's data, and disarms:
 * writes go through again, every member holds the value as written, and no acknowledged write is lost.
 */
class CorruptionIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static final ObjectMapper JSON = new ObjectMapper();
  static final String CLUSTER = "diverging";
  /** The leader: etcd then names the member that runs the check, and the operator replaces the leader itself. */
  static final String DIVERGING = CLUSTER + "-0";
  static final String MARKER_KEY = "/diverge/marker";
  static final String MARKER = "quorum-corruption-marker-0123456789";
  /** Written after the marker: enough pages of later revisions (4 KiB each) that the marker's is not the last. */
  static final int LATER_WRITES = 500;
  /** etcd's compaction hash check runs every minute; the operator sees the alarm at its next status refresh. */
  static final Duration ALARM_WITHIN = Duration.ofMinutes(3);
  static final Duration RECOVERED_WITHIN = Duration.ofMinutes(3);
  static String ns;
  static KubernetesClient kube;
  static OperatorProcess operator;

  @BeforeAll
  static void operator() {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    // an alarm raises no Kubernetes event: the operator sees it at its next status refresh
    operator = RIG.startOperatorProcess("corruption-it", Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s"));
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void aMemberWhoseDataChangedUnderItIsReplacedFromTheMajorityAndTheAlarmDisarmed() throws Exception {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.getStorage().setSize("128Mi");
    EtcdCluster resource = new EtcdCluster();
    resource.setMetadata(new ObjectMetaBuilder().withName(CLUSTER).withNamespace(ns).build());
    resource.setSpec(spec);
    kube.resources(EtcdCluster.class).inNamespace(ns).resource(resource).create();
    Clusters.awaitAvailable(kube, ns, CLUSTER, operator);
    String idBefore = memberIds().get(DIVERGING);
    moveLeaderTo(DIVERGING, idBefore);

    ClientServiceWriter writer = new ClientServiceWriter(kube, ns, CLUSTER + "-client", Duration.ofMillis(50));
    ClientServiceWriter.Result written;
    long diverged;
    long alarmed;
    try {
      assertThat(etcdctl(endpoint(DIVERGING), "put", MARKER_KEY, MARKER).output()).contains("OK");
      // etcd keeps keys by revision: later writes fill the pages after the marker's, which then stays where it is (the
      // page being written to is copied at every commit, and a change to the old copy would be lost)
      try (TestEtcd etcd = TestEtcd.at(kube, ns, DIVERGING)) {
        etcd.putKeys("/after-marker/", LATER_WRITES);
      }
      // etcd writes them to its database file within 100 ms
      int copies = await("the marker in " + DIVERGING + "'s database").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(IllegalStateException.class)
          .until(() -> RIG.rig().faults().divergeData(ns, DIVERGING, "etcd", MARKER.getBytes(StandardCharsets.UTF_8)),
              changed -> changed > 0);
      diverged = System.nanoTime();
      assertThat(etcdctl(endpoint(DIVERGING), "get", MARKER_KEY, "--consistency=s", "--print-value-only").output())
          .as("%d cop(ies) changed: the member serves its changed data", copies).doesNotContain(MARKER);

      // the check compares hashes taken at a compaction, as a Kubernetes API server makes every five minutes
      assertThat(etcdctl(endpoint(DIVERGING), "compact", String.valueOf(revision())).output()).contains("compacted");
      EtcdClusterStatus raised = await("CORRUPT raised on " + DIVERGING).atMost(ALARM_WITHIN)
          .pollInterval(Duration.ofMillis(500)).until(CorruptionIT::status, status -> status != null
              && status.getAlarms().stream().anyMatch(a -> "CORRUPT".equals(a.getType())));
      alarmed = System.nanoTime();
      assertThat(raised.getAlarms()).extracting(a -> a.getType() + " " + a.getMember())
          .contains("CORRUPT " + DIVERGING);

      EtcdClusterStatus recovered = await("CORRUPT recovered by the operator").atMost(RECOVERED_WITHIN)
          .pollInterval(Duration.ofMillis(500)).until(() -> {
            operator.assertAlive();
            return status();
          }, status -> status.getAlarms().isEmpty() && status.getMaintenance() == null
              && status.getLastMaintenance() != null
              && CorruptionRecovery.TYPE.equals(status.getLastMaintenance().getType())
              && Clusters.isAvailable(kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).get()));
      MaintenanceStatus done = recovered.getLastMaintenance();
      written = writer.stop();
      System.out.printf("[corruption] CORRUPT raised %d s after the change (one compaction, etcd's check every"
          + " minute); recovered %d s after the alarm: %s; writer: %d acknowledged, %d failed, longest outage %d ms%n",
          Duration.ofNanos(alarmed - diverged).toSeconds(), Duration.ofNanos(System.nanoTime() - alarmed).toSeconds(),
          done.getMessage(), written.acknowledged().size(), written.failed(), written.longestOutage().toMillis());
      assertThat(done.getMessage()).contains("CORRUPT disarmed");
      // each member's readiness check passes again at its next probe
      await("every member ready").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
          .until(() -> status().getMembers(), members -> members.size() == 3
              && members.stream().allMatch(MemberStatus::isReady));
      assertThat(writer.missing(written.acknowledged())).as("acknowledged writes the cluster lost").isEmpty();
    } finally {
      writer.close();
    }

    assertThat(memberIds().get(DIVERGING)).as("replaced by a new member").isNotEqualTo(idBefore);
    List<String> reasons = events().stream().map(Event::getReason).toList();
    assertThat(reasons).contains("CorruptAlarm", "MemberDiscarded", "MemberPromoted", "CorruptionRecovered");
    assertThat(events().stream().filter(e -> "MemberDiscarded".equals(e.getReason())).map(Event::getMessage))
        .as("only the member whose data differs").hasSize(1).allMatch(m -> m.startsWith(DIVERGING + "'s data differs"));
    for (int ordinal = 0; ordinal < 3; ordinal++) {
      assertThat(etcdctl(endpoint(CLUSTER + "-" + ordinal), "get", MARKER_KEY, "--consistency=s",
          "--print-value-only").output().strip()).as("member %d holds the value as written", ordinal).isEqualTo(MARKER);
    }
    Set<Long> hashes = new HashSet<>();
    for (JsonNode hash : JSON.readTree(etcdctl("--endpoints=" + endpoints(), "endpoint", "hashkv", "-w", "json")
        .output())) {
      hashes.add(hash.path("HashKV").path("hash").asLong());
    }
    assertThat(hashes).as("every member's data agrees").hasSize(1);
    assertThat(etcdctl(endpoint(DIVERGING), "put", "/after", "writes again").output()).contains("OK");
  }

  private static void moveLeaderTo(String member, String idHex) {
    assertThat(idHex).as(member + "'s ID").isNotNull();
    ClientResult moved = etcdctl("--endpoints=" + endpoints(), "move-leader", idHex);
    assertThat(moved.output()).as(moved.output()).containsAnyOf("Leadership transferred", "already");
    await(member + " leads").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> member.equals(status().getLeader()));
  }

  private static long revision() throws Exception {
    return JSON.readTree(etcdctl(endpoint(DIVERGING), "get", MARKER_KEY, "-w", "json").output())
        .path("header").path("revision").asLong();
  }

  /** Each member's ID in hex, as etcd lists them. */
  private static Map<String, String> memberIds() throws Exception {
    Map<String, String> ids = new java.util.TreeMap<>();
    for (JsonNode member : JSON.readTree(etcdctl("--endpoints=" + endpoints(), "member", "list", "-w", "json")
        .output()).path("members")) {
      ids.put(member.path("name").asText(), Long.toHexString(member.path("ID").asLong()));
    }
    return ids;
  }

  private static EtcdClusterStatus status() {
    return kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).get().getStatus();
  }

  private static List<Event> events() {
    return kube.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> CLUSTER.equals(e.getInvolvedObject().getName())).toList();
  }

  private static String endpoint(String member) {
    return "--endpoints=http://" + member + "." + CLUSTER + "." + ns + ".svc.cluster.local:2379";
  }

  private static String endpoints() {
    return String.join(",", List.of(0, 1, 2).stream()
        .map(i -> "http://" + CLUSTER + "-" + i + "." + CLUSTER + "." + ns + ".svc.cluster.local:2379").toList());
  }

  private static ClientResult etcdctl(String... args) {
    return RIG.etcdctl(args);
  }
}
