package dev.quorum.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.rig.ClientResult;
import dev.quorum.rig.Pods;
import dev.quorum.rig.RigSession;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rig's main promise: a hand-written etcd StatefulSet becomes a real 3-member etcd cluster through the
 * real API server, the real StatefulSet controller, scheduler and kubelets; a deleted member comes back with
 * its data and identity while the others keep serving writes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdStatefulSetOnRigIT {

  @RegisterExtension
  // a hand-written StatefulSet, not the operator's pods: no Pod Security level to meet
  static final RigSession RIG = RigSession.privileged();
  static String ns;
  static KubernetesClient kube;

  @BeforeAll
  static void applyHandWrittenStatefulSet() {
    ns = RIG.namespace();
    kube = RIG.client();
    List<HasMetadata> objects = kube.load(EtcdStatefulSetOnRigIT.class.getResourceAsStream("/rig/etcd-statefulset.yaml"))
        .items();
    objects.forEach(o -> kube.resource(o).inNamespace(ns).serverSideApply());
    awaitReadyPods(3, Duration.ofMinutes(2));
  }

  @Test
  @Order(1)
  void threeHealthyStartedMembersThatShareData() {
    String clientService = "http://etcd-client." + ns + ".svc.cluster.local:2379";
    // a member lists its client address once it has published it through the others, which can trail its readiness
    // by seconds on a loaded machine, and the member answering the list may not have applied it yet
    await("three healthy members").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      ClientResult health = etcdctl("--endpoints=" + clientService, "endpoint", "health", "--cluster");
      assertThat(health.exitCode()).as(health.output()).isZero();
      assertThat(health.output().lines().filter(l -> l.contains("is healthy"))).as(health.output()).hasSize(3);
    });

    ClientResult members = etcdctl("--endpoints=" + clientService, "member", "list");
    assertThat(members.exitCode()).as(members.output()).isZero();
    assertThat(members.output().lines().filter(l -> l.contains(", started, ") && l.endsWith(", false")))
        .as(members.output()).hasSize(3);

    ClientResult put = etcdctl("--endpoints=" + podUrl("etcd-0"), "put", "greeting", "hello from etcd-0");
    assertThat(put.output()).contains("OK");
    ClientResult get = etcdctl("--endpoints=" + podUrl("etcd-2"), "get", "greeting", "--print-value-only");
    assertThat(get.output().strip()).isEqualTo("hello from etcd-0");
  }

  @Test
  @Order(2)
  void deletedMemberRejoinsWithItsDataWhileWritesContinue() throws Exception {
    String idBefore = memberId("etcd-1");
    Pod before = kube.pods().inNamespace(ns).withName("etcd-1").get();
    AtomicInteger written = new AtomicInteger();
    AtomicReference<Throwable> writeFailure = new AtomicReference<>();
    String[] survivors = { "http://" + podIp("etcd-0") + ":2379", "http://" + podIp("etcd-2") + ":2379" };
    try (Client etcd = Client.builder().endpoints(survivors).build()) {
      Thread writer = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted() && writeFailure.get() == null) {
          int n = written.get();
          try {
            etcd.getKVClient().put(bytes("during-restart/" + n), bytes("v" + n)).get(10, TimeUnit.SECONDS);
            written.incrementAndGet();
          } catch (InterruptedException e) {
            return;
          } catch (Exception e) {
            // a put proposed while the leaving member hands leadership over may be dropped: etcd says so ("leader
            // changed", or its request timed out), and a client puts the same key again
            if (!String.valueOf(e.getMessage()).matches("(?s).*(leader changed|request timed out).*")) {
              writeFailure.set(e);
            }
          }
        }
      }, "writer");
      writer.start();

      kube.pods().inNamespace(ns).withName("etcd-1").delete();
      await("etcd-1 recreated and ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
          .until(() -> {
            Pod p = kube.pods().inNamespace(ns).withName("etcd-1").get();
            return p != null && !p.getMetadata().getUid().equals(before.getMetadata().getUid()) && Pods.isReady(p);
          });
      int atRejoin = written.get();
      await("writes continue after the rejoin").atMost(Duration.ofSeconds(30)).until(() -> {
        if (writeFailure.get() != null) {
          throw new AssertionError("a write through the surviving members failed", writeFailure.get());
        }
        return written.get() > atRejoin + 10;
      });
      writer.interrupt();
      writer.join(15_000);
    }
    assertThat(writeFailure.get()).as("a write through the surviving members failed").isNull();
    assertThat(written.get()).isGreaterThan(10);
    assertThat(memberId("etcd-1")).as("the member rejoined with its data, not as a new member").isEqualTo(idBefore);
    ClientResult members = etcdctl("--endpoints=" + podUrl("etcd-0"), "member", "list");
    assertThat(members.output().lines().filter(l -> l.contains(", started, "))).hasSize(3);
    // the recreated member serves data written before and while it was gone (its name resolves to its new address
    // once cluster DNS has it, seconds after the pod is ready)
    // (a minute or two when another class loads the machine's disk beside this one)
    await("etcd-1 serves what was written before").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
        .until(() -> etcdctl("--endpoints=" + podUrl("etcd-1"), "get", "greeting", "--print-value-only").output()
            .strip().equals("hello from etcd-0"));
    int last = written.get() - 1;
    await("etcd-1 caught up").atMost(Duration.ofMinutes(1)).until(() -> etcdctl("--endpoints=" + podUrl("etcd-1"),
        "get", "during-restart/" + last, "--print-value-only", "--consistency=s").output().strip().equals("v" + last));
  }

  // ---- helpers ----

  private static String memberId(String name) {
    ClientResult members = etcdctl("--endpoints=" + podUrl("etcd-0"), "member", "list");
    return members.output().lines().filter(l -> l.contains(", " + name + ", ")).map(l -> l.split(",")[0])
        .findFirst().orElseThrow(() -> new AssertionError("no member " + name + " in\n" + members.output()));
  }

  private static String podIp(String pod) {
    return kube.pods().inNamespace(ns).withName(pod).get().getStatus().getPodIP();
  }

  private static String podUrl(String pod) {
    return "http://" + pod + ".etcd." + ns + ".svc.cluster.local:2379";
  }

  private static ClientResult etcdctl(String... args) {
    return RIG.etcdctl(args);
  }

  private static void awaitReadyPods(int count, Duration timeout) {
    await(count + " ready etcd pods").atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() ->
        kube.pods().inNamespace(ns).withLabels(Map.of("app", "etcd")).list().getItems().stream()
            .filter(Pods::isReady).count() == count);
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
