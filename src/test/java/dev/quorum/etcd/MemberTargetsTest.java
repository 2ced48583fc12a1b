package dev.quorum.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.etcd.SimulatedMembers.Simulated;
import io.grpc.Status;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every call reaches a member that can serve it, wherever the leader, a learner and a member that is down (or still
 * starting) stand among the members, and in whatever order the endpoints are given: every combination in clusters of
 * 3, 5 and 7 members.
 */
class MemberTargetsTest {

  /** A cluster: its size, the leader's ordinal, a learner's and a dead member's (-1: none). */
  record Layout(int size, int leader, int learner, int dead) {
    @Override
    public String toString() {
      return size + " members, leader " + leader + (learner < 0 ? "" : ", learner " + learner)
          + (dead < 0 ? "" : ", down " + dead);
    }

    SimulatedMembers members() {
      List<Simulated> members = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        members.add(new Simulated("demo-" + i, 0x1000L + i, i == learner, i == dead));
      }
      return new SimulatedMembers(members, "demo-" + leader);
    }

    /** The endpoint orders tried: by name, reversed, and rotated so each member is first once. */
    List<List<String>> orders() {
      List<String> byName = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        byName.add("demo-" + i);
      }
      List<List<String>> orders = new ArrayList<>();
      for (int shift = 0; shift < size; shift++) {
        List<String> rotated = new ArrayList<>(byName);
        Collections.rotate(rotated, shift);
        orders.add(rotated);
      }
      List<String> reversed = new ArrayList<>(byName);
      Collections.reverse(reversed);
      orders.add(reversed);
      return orders;
    }
  }

  /** Every layout of {@code size} members: the leader anywhere, a learner and a dead member anywhere else or none. */
  static List<Layout> layouts(int size) {
    List<Layout> all = new ArrayList<>();
    for (int leader = 0; leader < size; leader++) {
      for (int learner = -1; learner < size; learner++) {
        for (int dead = -1; dead < size; dead++) {
          // a dead learner is a learner that cannot be asked either: allowed
          if (learner != leader && dead != leader) {
            all.add(new Layout(size, leader, learner, dead));
          }
        }
      }
    }
    return all;
  }

  @ParameterizedTest(name = "{0} members")
  @ValueSource(ints = {3, 5, 7, 9})
  void aReadingKnowsTheLeaderTheLearnerAndWhoIsDown(int size) {
    for (Layout layout : layouts(size)) {
      for (List<String> order : layout.orders()) {
        SimulatedMembers members = layout.members();
        ClusterView reading = ClusterViewReader.read(new EtcdClusterClient(List.of(), members),
            members.endpoints(order));

        String as = layout + ", endpoints in the order " + order;
        assertThat(reading.leaderName()).as(as).contains("demo-" + layout.leader());
        assertThat(reading.members()).as(as).hasSize(layout.size());
        assertThat(reading.members()).as(as).filteredOn(MemberView::learner).extracting(MemberView::name)
            .containsExactlyElementsOf(layout.learner() < 0 ? List.of() : List.of("demo-" + layout.learner()));
        assertThat(reading.members()).as(as).filteredOn(m -> !m.reachable()).extracting(MemberView::name)
            .containsExactlyElementsOf(layout.dead() < 0 ? List.of() : List.of("demo-" + layout.dead()));
        // the member list came from the leader, asked first
        assertThat(members.served).as(as).filteredOn(call -> call.startsWith("MemberList@"))
            .containsExactly("MemberList@demo-" + layout.leader());
        assertThat(members.refused).as(as).noneMatch(call -> call.startsWith("MemberList@"));
      }
    }
  }

  @ParameterizedTest(name = "{0} members")
  @ValueSource(ints = {3, 5, 7, 9})
  void membershipChangesGoToTheLeaderAndNeverToALearnerOrADeadMember(int size) throws Exception {
    for (Layout layout : layouts(size)) {
      for (List<String> order : layout.orders()) {
        SimulatedMembers members = layout.members();
        EtcdClusterClient client = new EtcdClusterClient(List.of(), members);
        Map<String, String> endpoints = members.endpoints(order);
        ClusterView reading = ClusterViewReader.read(client, endpoints);
        members.served.clear();
        members.refused.clear();

        client.addLearner(endpoints, reading, "http://demo-9.demo.default.svc.cluster.local:2380");
        client.removeMember(endpoints, reading, 0x1000L + layout.size() - 1);
        if (layout.learner() >= 0) {
          client.promoteLearner(endpoints, reading, 0x1000L + layout.learner());
        }
        client.moveLeader(endpoints, reading, 0x1000L + (layout.leader() + 1) % layout.size());

        String as = layout + ", endpoints in the order " + order;
        String leader = "@demo-" + layout.leader();
        assertThat(members.served).as(as).allMatch(call -> call.endsWith(leader))
            .hasSize(layout.learner() >= 0 ? 4 : 3);
        assertThat(members.refused).as(as + ": no call tried on a member that cannot serve it").isEmpty();
      }
    }
  }

  @Test
  void aChangeGoesToTheNextHealthyVoterWhenTheLeaderDoesNotAnswerAndNeverToTheLearner() throws Exception {
    // the leader died after the reading: the change goes on to the other voters, by name, skipping the learner
    SimulatedMembers before = new Layout(5, 0, 1, -1).members();
    EtcdClusterClient readingClient = new EtcdClusterClient(List.of(), before);
    Map<String, String> endpoints = before.endpoints(List.of("demo-0", "demo-1", "demo-2", "demo-3", "demo-4"));
    ClusterView reading = ClusterViewReader.read(readingClient, endpoints);
    SimulatedMembers after = new Layout(5, 2, 1, 0).members();

    new EtcdClusterClient(List.of(), after).promoteLearner(endpoints, reading, 0x1001L);

    assertThat(after.refused).containsExactly("MemberPromote@demo-0");
    assertThat(after.served).containsExactly("MemberPromote@demo-2");
  }

  @Test
  void leadershipIsMovedByTheLeaderAlone() {
    SimulatedMembers before = new Layout(3, 1, -1, -1).members();
    Map<String, String> endpoints = before.endpoints(List.of("demo-0", "demo-1", "demo-2"));
    ClusterView reading = ClusterViewReader.read(new EtcdClusterClient(List.of(), before), endpoints);
    // leadership moved meanwhile: the old leader says so, and no other member is asked
    SimulatedMembers after = new Layout(3, 2, -1, -1).members();

    assertThatThrownBy(() -> new EtcdClusterClient(List.of(), after).moveLeader(endpoints, reading, 0x1000L))
        .isInstanceOf(EtcdCallFailed.class).hasMessageContaining("not leader");
    assertThat(after.refused).containsExactly("MoveLeader@demo-1");
    assertThat(after.served).isEmpty();
  }

  @Test
  void withoutAHealthyVoterNothingIsAsked() {
    ClusterView noLeader = new ClusterView(1, 0, List.of(
        new MemberView(1, "demo-0", List.of(), List.of("http://a:2379"), false, true, false, "3.6.16", null),
        new MemberView(2, "demo-1", List.of(), List.of("http://b:2379"), true, true, true, "3.6.16", null)));

    assertThat(MemberTargets.forMembershipChange(Map.of(), noLeader)).isEmpty();
    assertThat(MemberTargets.forLeaderTransfer(Map.of(), noLeader)).isEmpty();
    assertThatThrownBy(() -> new EtcdClusterClient(List.of(), new Layout(3, 0, -1, -1).members())
        .removeMember(Map.of(), noLeader, 1)).isInstanceOf(EtcdCallFailed.class)
        .hasMessageContaining("no member can be asked");
  }

  @Test
  void aMemberListIsReadFromTheLeaderThenFollowersThenTheCutOffNeverTheSilent() {
    Map<String, String> endpoints = new java.util.LinkedHashMap<>();
    for (String name : List.of("e", "d", "c", "b", "a")) {
      endpoints.put(name, "http://" + name + ":2379");
    }
    Map<String, MemberProbe> answers = Map.of(
        "a", MemberProbe.failed(new ConnectException("refused")),
        "b", new MemberProbe(true, "3.6.16", 2, 0, 3, 10, 10, null),   // cut off: no leader
        "c", new MemberProbe(true, "3.6.16", 3, 5, 7, 40, 40, null),
        "d", new MemberProbe(true, "3.6.16", 4, 5, 7, 40, 40, null),
        "e", new MemberProbe(true, "3.6.16", 5, 5, 7, 40, 40, null));   // the leader

    assertThat(MemberTargets.forMemberList(endpoints, answers))
        .containsExactly("http://e:2379", "http://c:2379", "http://d:2379", "http://b:2379");
    assertThat(MemberTargets.forMemberList(endpoints, Map.of())).as("nobody answered: nobody is asked").isEmpty();
  }

  @Test
  void anotherMemberIsAskedOnlyWhenThisOneCouldNotServeTheCall() {
    var refusedLearner = Status.FAILED_PRECONDITION.withDescription("etcdserver: rpc not supported for learner")
        .asRuntimeException();
    var noLeader = Status.UNAVAILABLE.withDescription("etcdserver: no leader").asRuntimeException();
    var unreachable = Status.UNAVAILABLE.withDescription("io exception").withCause(new ConnectException("refused"))
        .asRuntimeException();
    var quorumGuard = Status.UNAVAILABLE.withDescription("etcdserver: unhealthy cluster").asRuntimeException();
    var notFound = Status.NOT_FOUND.withDescription("etcdserver: member not found").asRuntimeException();
    var timedOut = Status.DEADLINE_EXCEEDED.asRuntimeException();

    for (EtcdCallFailed.Effect effect : EtcdCallFailed.Effect.values()) {
      assertThat(EtcdCallFailed.askAnother(refusedLearner, effect)).isTrue();
      assertThat(EtcdCallFailed.askAnother(noLeader, effect)).isTrue();
      assertThat(EtcdCallFailed.askAnother(unreachable, effect)).isTrue();
      assertThat(EtcdCallFailed.askAnother(quorumGuard, effect)).as("the cluster's own answer").isFalse();
      assertThat(EtcdCallFailed.askAnother(notFound, effect)).isFalse();
    }
    // a change cut off by its deadline may have been applied: the next pass decides from etcd's member list
    assertThat(EtcdCallFailed.askAnother(timedOut, EtcdCallFailed.Effect.READ)).isTrue();
    assertThat(EtcdCallFailed.askAnother(timedOut, EtcdCallFailed.Effect.CHANGE)).isFalse();
    assertThat(EtcdCallFailed.askAnother(new TimeoutException(), EtcdCallFailed.Effect.CHANGE)).isFalse();
  }

  @Test
  void aFailedCallSaysWhatEachMemberAnswered() {
    EtcdCallFailed failed = EtcdCallFailed.of("promoting learner 1001", List.of("http://a:2379", "http://b:2379"),
        List.of(Status.UNAVAILABLE.withDescription("io exception").withCause(new ConnectException("refused"))
            .asRuntimeException(), Status.UNAVAILABLE.withDescription("etcdserver: unhealthy cluster")
            .asRuntimeException()));

    assertThat(failed.getMessage()).isEqualTo("promoting learner 1001 failed: http://a:2379: ConnectException: "
        + "refused; http://b:2379: etcdserver: unhealthy cluster");
    assertThat(failed.status()).map(Status::getDescription).contains("etcdserver: unhealthy cluster");
    assertThat(Optional.ofNullable(failed.getCause())).isPresent();
  }
}
