package dev.quorum.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quorum.rig.ManagedProcess;
import dev.quorum.rig.Net;
import dev.quorum.rig.Tools;
import io.etcd.jetcd.api.MemberAddResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The etcd calls against real etcd processes, as the operator makes them: a learner that sorts first among the
 * endpoints (member 0 coming back) never gets a call it cannot serve; every reading while it catches up knows the
 * leader; it is promoted through a voter; a member killed is reported down while the others keep answering; a
 * removal and a leadership move go to the leader. Once per etcd version the operator runs.
 */
class EtcdMembershipIT {

  private static final EtcdClientSettings SETTINGS =
      new EtcdClientSettings(Duration.ofSeconds(2), Duration.ofSeconds(5), Optional.empty());

  private final List<ManagedProcess> started = new ArrayList<>();

  @AfterEach
  void stopMembers() {
    started.forEach(ManagedProcess::close);
  }

  static List<String> etcdVersions() {
    return Tools.locate().etcdVersions();
  }

  @ParameterizedTest
  @MethodSource("etcdVersions")
  void callsReachAMemberThatCanServeThemWhereverTheLearnerLeaderAndDeadMemberAre(String version) throws Exception {
    Tools tools = Tools.locate();
    String etcd = tools.etcdBinary(version, "etcd").toString();
    Path dir = Path.of("target", "etcd-membership-it", version).toAbsolutePath();
    dev.quorum.rig.Rig.deleteRecursively(dir);
    Map<String, String> clientUrls = new TreeMap<>();
    Map<String, String> peerUrls = new TreeMap<>();
    for (String name : List.of("p-0", "p-1", "p-2", "p-3")) {
      clientUrls.put(name, "http://127.0.0.1:" + Net.freePort());
      peerUrls.put(name, "http://127.0.0.1:" + Net.freePort());
    }
    String founders = String.join(",", List.of("p-1", "p-2", "p-3").stream().map(n -> n + "=" + peerUrls.get(n))
        .toList());
    Map<String, ManagedProcess> members = new LinkedHashMap<>();
    for (String name : List.of("p-1", "p-2", "p-3")) {
      members.put(name, member(etcd, dir, name, clientUrls, peerUrls, founders, "new"));
    }
    Map<String, String> voters = new TreeMap<>(clientUrls);
    voters.remove("p-0");

    try (EtcdClusterClient client = EtcdClusterClient.connect(List.copyOf(clientUrls.values()), SETTINGS)) {
      ClusterView formed = await("three voters with a leader").atMost(Duration.ofMinutes(1)).ignoreExceptions()
          .until(() -> ClusterViewReader.read(client, voters), r -> r.leaderName().isPresent());

      // p-0 comes back as a learner: first among the endpoints by name, as member 0 of a cluster is
      // etcd refuses changes ("unhealthy cluster") until its members have been connected a while: the caller retries
      MemberAddResponse added = await("p-0 added").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
          .until(() -> {
            try {
              return client.addLearner(voters, formed, peerUrls.get("p-0"));
            } catch (EtcdCallFailed e) {
              assertThat(e.getMessage()).contains("unhealthy cluster");
              return null;
            }
          }, java.util.Objects::nonNull);
      long learner = added.getMember().getID();
      assertThat(added.getMember().getIsLearner()).isTrue();
      ClusterView withLearner = ClusterViewReader.read(client, voters);
      assertThatThrownBy(() -> client.promoteLearner(voters, withLearner, learner))
          .as("not started: nothing replicated to it yet").isInstanceOf(LearnerPromotion.NotCaughtUp.class)
          .hasMessageContaining(EtcdIds.toHex(learner));
      members.put("p-0", member(etcd, dir, "p-0", clientUrls, peerUrls, founders + ",p-0=" + peerUrls.get("p-0"),
          "existing"));
      await("p-0 answers").atMost(Duration.ofMinutes(1)).ignoreExceptions()
          .until(() -> client.memberStatus(clientUrls.get("p-0")).get().getHeader().getMemberId() == learner);

      // a learner refuses the member list in etcd's own words, and the call moves on to a voter
      assertThatThrownBy(() -> client.listMembers(List.of(clientUrls.get("p-0"))))
          .isInstanceOf(EtcdCallFailed.class).hasMessageContaining("not supported for learner");
      assertThat(client.listMembers(List.of(clientUrls.get("p-0"), clientUrls.get("p-1"))).getMembersCount())
          .isEqualTo(4);
      // every reading while the learner catches up knows the leader (status.leader never flaps empty)
      for (int i = 0; i < 20; i++) {
        ClusterView reading = ClusterViewReader.read(client, clientUrls);
        assertThat(reading.leaderName()).as("reading %d", i).isPresent();
        assertThat(reading.members()).filteredOn(MemberView::learner).extracting(MemberView::name)
            .containsExactly("p-0");
      }

      await("p-0 promoted").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(() -> {
        try {
          client.promoteLearner(clientUrls, ClusterViewReader.read(client, clientUrls), learner);
          return true;
        } catch (LearnerPromotion.NotCaughtUp e) {
          return false;
        }
      });
      ClusterView promoted = ClusterViewReader.read(client, clientUrls);
      assertThat(promoted.members()).hasSize(4).noneMatch(MemberView::learner).allMatch(MemberView::healthy);

      // the leader moves to p-0, then dies: the others elect a new one and keep answering, the dead one is reported
      client.moveLeader(clientUrls, promoted, learner);
      assertThat(ClusterViewReader.read(client, clientUrls).leaderName()).contains("p-0");
      members.get("p-0").kill();
      ClusterView afterDeath = await("a new leader").atMost(Duration.ofMinutes(1)).ignoreExceptions()
          .until(() -> ClusterViewReader.read(client, clientUrls),
              r -> r.leaderName().filter(name -> !name.equals("p-0")).isPresent());
      MemberView dead = afterDeath.members().stream().filter(m -> m.name().equals("p-0")).findFirst().orElseThrow();
      assertThat(dead.reachable()).isFalse();
      assertThat(dead.error()).isNotBlank();

      // the dead member is removed through the leader (etcd's strict check refuses for a few seconds after a change)
      await("p-0 removed").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() -> {
        try {
          client.removeMember(clientUrls, ClusterViewReader.read(client, clientUrls), learner);
          return true;
        } catch (EtcdCallFailed e) {
          assertThat(e.getMessage()).contains("unhealthy cluster");
          return false;
        }
      });
      assertThat(ClusterViewReader.read(client, clientUrls).members()).extracting(MemberView::name)
          .containsExactly("p-1", "p-2", "p-3");
    }
  }

  /**
   * A member that was down a while answers as soon as it is back: the client does not keep a failed channel in gRPC's
   * reconnect back-off (which grows to two minutes), it opens a fresh one.
   */
  @org.junit.jupiter.api.Test
  void aMemberBackFromTheDeadAnswersAtOnce() throws Exception {
    Tools tools = Tools.locate();
    String etcd = tools.etcdBinary(tools.defaultEtcdVersion(), "etcd").toString();
    Path dir = Path.of("target", "etcd-membership-it", "back").toAbsolutePath();
    dev.quorum.rig.Rig.deleteRecursively(dir);
    Map<String, String> clientUrls = Map.of("solo", "http://127.0.0.1:" + Net.freePort());
    Map<String, String> peerUrls = Map.of("solo", "http://127.0.0.1:" + Net.freePort());
    String endpoint = clientUrls.get("solo");
    ManagedProcess solo = member(etcd, dir, "solo", clientUrls, peerUrls, "solo=" + peerUrls.get("solo"), "new");
    try (EtcdClusterClient client = EtcdClusterClient.connect(List.of(endpoint), SETTINGS)) {
      await("solo answers").atMost(Duration.ofMinutes(1)).ignoreExceptions()
          .until(() -> client.memberStatus(endpoint).get().getLeader() != 0);
      solo.kill();
      // down for a while, asked again and again: gRPC's back-off would have grown to several seconds by now
      await("solo unreachable while down").during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(500)).until(() -> {
            try {
              client.memberStatus(endpoint).get();
              return false;
            } catch (java.util.concurrent.ExecutionException e) {
              return e.getMessage().contains("UNAVAILABLE");
            }
          });
      solo = member(etcd, dir, "solo", clientUrls, peerUrls, "solo=" + peerUrls.get("solo"), "new");
      await("solo listening again").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50))
          .until(() -> Net.isListening("127.0.0.1", java.net.URI.create(endpoint).getPort()));
      long back = System.nanoTime();
      await("solo answers once back").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(100))
          .ignoreExceptions().until(() -> client.memberStatus(endpoint).get().getLeader() != 0);
      assertThat(Duration.ofNanos(System.nanoTime() - back)).isLessThan(Duration.ofSeconds(2));
    }
  }

  /**
   * A backup's snapshot comes from a follower, which may lag the leader by many writes: the snapshot waits until the
   * follower has applied every write acknowledged before it began. The follower is paused while 64 MiB are written,
   * then the snapshot starts the moment it runs again.
   */
  @org.junit.jupiter.api.Test
  void aSnapshotFromALaggingFollowerHoldsEveryWriteAcknowledgedBeforeItBegan() throws Exception {
    Tools tools = Tools.locate();
    String etcd = tools.etcdBinary(tools.defaultEtcdVersion(), "etcd").toString();
    Path dir = Path.of("target", "etcd-membership-it", "lagging").toAbsolutePath();
    dev.quorum.rig.Rig.deleteRecursively(dir);
    Map<String, String> clientUrls = new TreeMap<>();
    Map<String, String> peerUrls = new TreeMap<>();
    for (String name : List.of("q-0", "q-1", "q-2")) {
      clientUrls.put(name, "http://127.0.0.1:" + Net.freePort());
      peerUrls.put(name, "http://127.0.0.1:" + Net.freePort());
    }
    String founders = String.join(",", peerUrls.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    Map<String, ManagedProcess> members = new LinkedHashMap<>();
    clientUrls.keySet().forEach(name -> members.put(name, member(etcd, dir, name, clientUrls, peerUrls, founders, "new")));
    try (EtcdClusterClient client = EtcdClusterClient.connect(List.copyOf(clientUrls.values()), SETTINGS)) {
      ClusterView formed = await("three voters with a leader").atMost(Duration.ofMinutes(1)).ignoreExceptions()
          .until(() -> ClusterViewReader.read(client, clientUrls), r -> r.leaderName().isPresent());
      String leader = formed.leaderName().orElseThrow();
      String follower = clientUrls.keySet().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
      long paused = members.get(follower).pid();
      dev.quorum.rig.HostCommand.run("pause " + follower, "kill", "-STOP", Long.toString(paused));
      long acknowledged;
      try {
        dev.quorum.testing.RandomValues.load(clientUrls.get(leader), 0, 64, Duration.ofMinutes(3));
        acknowledged = client.memberStatus(clientUrls.get(leader)).get().getHeader().getRevision();
      } finally {
        dev.quorum.rig.HostCommand.run("resume " + follower, "kill", "-CONT", Long.toString(paused));
      }
      try (SnapshotStream snapshot = SnapshotStream.open(clientUrls.get(follower), SETTINGS,
          SnapshotOptions.withTimeout(Duration.ofMinutes(2)))) {
        assertThat(snapshot.memberStatus().revision()).as("the follower's revision as its snapshot began")
            .isGreaterThanOrEqualTo(acknowledged);
        assertThat(snapshot.size()).as("the snapshot holds the 64 MiB written").isGreaterThan(64L * 1024 * 1024);
      }
    }
  }

  private ManagedProcess member(String etcd, Path dir, String name, Map<String, String> clientUrls,
      Map<String, String> peerUrls, String initialCluster, String state) {
    ManagedProcess process = ManagedProcess.start("etcd-" + name, List.of(etcd, "--name=" + name,
        "--data-dir=" + dir.resolve(name), "--listen-client-urls=" + clientUrls.get(name),
        "--advertise-client-urls=" + clientUrls.get(name), "--listen-peer-urls=" + peerUrls.get(name),
        "--initial-advertise-peer-urls=" + peerUrls.get(name), "--initial-cluster=" + initialCluster,
        "--initial-cluster-state=" + state, "--unsafe-no-fsync=true", "--log-level=warn"), null, dir,
        dir.resolve(name + ".log"));
    started.add(process);
    return process;
  }
}
