package dev.quorum.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.api.v1alpha1.EtcdTuning;
import dev.quorum.api.v1alpha1.MaintenanceStatus;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.Pods;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.Clusters;
import dev.quorum.testing.TestEtcd;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd's NOSPACE alarm on the rig: a cluster with a small quota, written until etcd refuses writes, comes back without
 * a human: the operator reports the alarm (status, Degraded, an event), compacts, defragments every member with the
 * leader last (after handing leadership away), disarms, and a client's writes succeed again; nothing written is lost.
 */
class NoSpaceIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static final long MIB = 1024 * 1024;
  /** Small enough to fill in seconds; the same few keys overwritten, so compaction frees almost all of it. */
  static final long QUOTA = 24 * MIB;
  static final int VALUE_BYTES = 256 * 1024;
  static final int KEPT = 20;
  static final String CLUSTER = "full";
  static String ns;
  static KubernetesClient kube;
  static OperatorProcess operator;

  @BeforeAll
  static void operator() {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    // an alarm raises no Kubernetes event: the operator sees it at its next status refresh
    operator = RIG.startOperatorProcess("no-space-it", Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s"));
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void aClusterFilledUntilNoSpaceIsCompactedDefragmentedAndDisarmedAndTakesWritesAgain() throws Exception {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.getStorage().setSize("128Mi");
    EtcdTuning tuning = new EtcdTuning();
    tuning.setQuotaBackendBytes(QUOTA);
    spec.setEtcd(tuning);
    EtcdCluster resource = new EtcdCluster();
    resource.setMetadata(new ObjectMetaBuilder().withName(CLUSTER).withNamespace(ns).build());
    resource.setSpec(spec);
    kube.resources(EtcdCluster.class).inNamespace(ns).resource(resource).create();
    Clusters.awaitAvailable(kube, ns, CLUSTER, operator);

    try (TestEtcd etcd = TestEtcd.at(kube, ns, CLUSTER + "-0")) {
      etcd.putKeys("/kept/", KEPT);
    }
    String endpoint = "http://" + Pods.ip(kube, ns, CLUSTER + "-0") + ":2379";
    try (Client client = Client.builder().endpoints(endpoint).build()) {
      int puts = fillUntilNoSpace(client);
      long refused = System.nanoTime();

      EtcdClusterStatus recovered = await("NOSPACE recovered by the operator").atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500)).until(() -> {
            operator.assertAlive();
            return kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).get().getStatus();
          }, status -> status.getLastMaintenance() != null && status.getAlarms().isEmpty()
              && status.getMaintenance() == null);

      MaintenanceStatus done = recovered.getLastMaintenance();
      System.out.printf("[no-space] etcd refused writes after %d puts of %d KiB; recovered %d s later, members"
          + " defragmented in order %s: %s%n", puts, VALUE_BYTES / 1024,
          Duration.ofNanos(System.nanoTime() - refused).toSeconds(), done.getDefragmented(), done.getMessage());
      assertThat(done.getType()).isEqualTo(NoSpaceRecovery.TYPE);
      assertThat(done.getFinishedAt()).isNotNull();
      assertThat(done.getDefragmented()).as("every member, once")
          .containsExactlyInAnyOrder(CLUSTER + "-0", CLUSTER + "-1", CLUSTER + "-2");
      assertThat(done.getSizeAfterBytes()).as(done.getMessage()).isLessThan(done.getSizeBeforeBytes() / 2);
      assertThat(done.getMessage()).contains("NOSPACE disarmed");

      List<Event> events = events();
      List<String> reasons = events.stream().map(Event::getReason).toList();
      assertThat(reasons).contains("NoSpaceAlarm", "NoSpaceRecovered");
      assertThat(reasons.stream().filter("Defragmented"::equals)).hasSize(3);
      // the leader was defragmented last, as a follower: leadership moved away from it first
      LeaderLast.assertLeaderDefragmentedLast(events, done);

      // writes succeed again, and nothing written before was lost
      client.getKVClient().put(bytes("/after"), bytes("room again")).get(10, TimeUnit.SECONDS);
    }
    try (TestEtcd etcd = TestEtcd.at(kube, ns, CLUSTER + "-1")) {
      assertThat(etcd.read("/kept/")).isEqualTo(TestEtcd.expected("/kept/", KEPT));
    }
    // a member defragmented last may still be between readiness probes (a defragmentation holds it up): not Degraded
    // once each answers its next one
    await("not Degraded").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> kube
        .resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).get().getStatus().condition("Degraded")
        .map(c -> "False".equals(c.getStatus())).orElse(false));
  }

  /** The same few keys overwritten with random values until etcd answers that its database space is exceeded. */
  private static int fillUntilNoSpace(Client client) throws Exception {
    Random random = new Random(7);
    byte[] value = new byte[VALUE_BYTES];
    for (int put = 0; put < 4 * QUOTA / VALUE_BYTES; put++) {
      random.nextBytes(value);
      try {
        client.getKVClient().put(bytes("/fill/" + put % 8), ByteSequence.from(value)).get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        assertThat(e.getCause()).hasMessageContaining("database space exceeded");
        return put;
      }
    }
    throw new AssertionError("etcd took " + 4 * QUOTA + " bytes of puts under a quota of " + QUOTA);
  }

  private static List<Event> events() {
    return kube.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> CLUSTER.equals(e.getInvolvedObject().getName())).toList();
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
