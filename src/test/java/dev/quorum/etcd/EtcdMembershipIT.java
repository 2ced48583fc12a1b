package dev.quorum.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quorum.rig.ManagedProcess;
import dev.quorum.rig.Net;
import dev.quorum.rig.Tools;
import io.etcd.jetcd.cluster.Member;
import io.etcd.jetcd.cluster.MemberAddResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The membership calls against real etcd processes: a learner added, started, promoted (once caught up), removed. */
class EtcdMembershipIT {

  private static final EtcdClientSettings SETTINGS =
      new EtcdClientSettings(Duration.ofSeconds(2), Duration.ofSeconds(5), Optional.empty());

  @TempDir
  Path dir;

  @Test
  void aLearnerIsPromotedOnlyOnceCaughtUpAndCanBeRemoved() throws Exception {
    Tools tools = Tools.locate();
    String etcd = tools.etcdBinary(tools.defaultEtcdVersion(), "etcd").toString();
    Path logs = Path.of("target", "etcd-membership-it").toAbsolutePath();
    String client1 = "http://127.0.0.1:" + Net.freePort();
    String peer1 = "http://127.0.0.1:" + Net.freePort();
    String client2 = "http://127.0.0.1:" + Net.freePort();
    String peer2 = "http://127.0.0.1:" + Net.freePort();
    try (ManagedProcess one = member(etcd, "one", client1, peer1, "one=" + peer1, "new", logs);
        EtcdClusterClient client = EtcdClusterClient.connect(List.of(client1), SETTINGS)) {
      await("one serving").atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> client.listMembers().get(5, TimeUnit.SECONDS).getMembers().size() == 1);

      MemberAddResponse added = client.addLearner(peer2).get(10, TimeUnit.SECONDS);
      long id = added.getMember().getId();
      assertThat(added.getMember().isLearner()).isTrue();
      assertThat(added.getMembers()).hasSize(2);
      // not started: nothing replicated to it yet, so etcd refuses to count its vote
      assertThatThrownBy(() -> client.promoteLearner(client1, id)).isInstanceOf(LearnerPromotion.NotCaughtUp.class)
          .hasMessageContaining(EtcdIds.toHex(id));

      try (ManagedProcess two = member(etcd, "two", client2, peer2, "one=" + peer1 + ",two=" + peer2, "existing",
          logs)) {
        await("two promoted").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
          try {
            client.promoteLearner(client1, id);
            return true;
          } catch (LearnerPromotion.NotCaughtUp e) {
            return false;
          }
        });
        List<Member> members = client.listMembers().get(5, TimeUnit.SECONDS).getMembers();
        assertThat(members).hasSize(2).noneMatch(Member::isLearner);
        assertThat(members).filteredOn(m -> m.getId() == id).singleElement()
            .satisfies(m -> assertThat(m.getName()).isEqualTo("two"));

        // etcd refuses a removal until its members have been connected a while (its strict reconfiguration check
        // answers "unhealthy cluster" for some seconds after a change): the caller retries
        await("two removed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
          try {
            client.removeMember(id).get(10, TimeUnit.SECONDS);
            return true;
          } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).hasMessageContaining("unhealthy cluster");
            return false;
          }
        });
        assertThat(client.listMembers().get(5, TimeUnit.SECONDS).getMembers()).extracting(Member::getName)
            .containsExactly("one");
      }
    }
  }

  private ManagedProcess member(String etcd, String name, String clientUrl, String peerUrl, String initialCluster,
      String state, Path logs) {
    return ManagedProcess.start("etcd-" + name, List.of(etcd, "--name=" + name,
        "--data-dir=" + dir.resolve(name), "--listen-client-urls=" + clientUrl, "--advertise-client-urls=" + clientUrl,
        "--listen-peer-urls=" + peerUrl, "--initial-advertise-peer-urls=" + peerUrl,
        "--initial-cluster=" + initialCluster, "--initial-cluster-state=" + state, "--unsafe-no-fsync=true",
        "--log-level=warn"), null, dir, logs.resolve(name + ".log"));
  }
}
