package dev.quorum.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.DefragmentationPolicy;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.MaintenanceStatus;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.Pods;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.ClientServiceWriter;
import dev.quorum.testing.Clusters;
import dev.quorum.testing.MembershipClusters;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.DeleteOption;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scheduled defragmentation on the rig, with a writer running through the client Service: every member defragmented
 * once, one at a time, the leader last after handing leadership away; writes never fail for longer than a leader
 * election; the space given back on record.
 */
class DefragmentationIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static final String CLUSTER = "defrag";
  static final int VALUE_BYTES = 256 * 1024;
  /** 16 MiB written, then deleted and compacted away, as a Kubernetes API server compacts: free pages to give back. */
  static final int VALUES = 64;
  static final Duration LONGEST_ACCEPTABLE_OUTAGE = Duration.ofSeconds(5);
  static String ns;
  static KubernetesClient kube;
  static OperatorProcess operator;

  @BeforeAll
  static void operator() {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    operator = RIG.startOperatorProcess("defragmentation-it", Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s"));
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void aScheduledDefragmentationTakesEveryMemberOnceLeaderLastWhileWritesGoOn() throws Exception {
    MembershipClusters.create(kube, ns, CLUSTER, null);
    Clusters.awaitAvailable(kube, ns, CLUSTER, operator);
    try (Client client = Client.builder().endpoints("http://" + Pods.ip(kube, ns, CLUSTER + "-0") + ":2379").build()) {
      Random random = new Random(3);
      byte[] value = new byte[VALUE_BYTES];
      for (int i = 0; i < VALUES; i++) {
        random.nextBytes(value);
        client.getKVClient().put(bytes("/bulk/" + i), ByteSequence.from(value)).get(30, TimeUnit.SECONDS);
      }
      long revision = client.getKVClient().delete(bytes("/bulk/"), DeleteOption.builder().isPrefix(true).build())
          .get(30, TimeUnit.SECONDS).getHeader().getRevision();
      client.getKVClient().compact(revision).get(30, TimeUnit.SECONDS);
    }

    ClientServiceWriter writer = new ClientServiceWriter(kube, ns, CLUSTER + "-client", Duration.ofMillis(50));
    MaintenanceStatus done;
    try {
      DefragmentationPolicy everyMinute = new DefragmentationPolicy();
      everyMinute.setSchedule("* * * * *");
      MembershipClusters.edit(kube, ns, CLUSTER, spec -> spec.setDefragmentation(everyMinute));
      done = await("a scheduled defragmentation finished").atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500)).until(() -> {
            operator.assertAlive();
            return kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).get().getStatus()
                .getLastMaintenance();
          }, last -> last != null && Defragmentation.TYPE.equals(last.getType()) && last.getFinishedAt() != null);
    } finally {
      writer.stopAndAssertKept(LONGEST_ACCEPTABLE_OUTAGE);
    }
    System.out.printf("[defragmentation] %s; members in order %s%n", done.getMessage(), done.getDefragmented());
    assertThat(done.getDefragmented()).containsExactlyInAnyOrder(CLUSTER + "-0", CLUSTER + "-1", CLUSTER + "-2");
    assertThat(done.getSizeAfterBytes()).as(done.getMessage()).isLessThan(done.getSizeBeforeBytes());
    List<Event> events = kube.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> CLUSTER.equals(e.getInvolvedObject().getName())).toList();
    LeaderLast.assertLeaderDefragmentedLast(events, done);
    assertThat(events.stream().map(Event::getReason).filter("Defragmented"::equals).count()).isGreaterThanOrEqualTo(4);
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
