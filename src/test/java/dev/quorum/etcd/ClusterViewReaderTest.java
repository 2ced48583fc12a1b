package dev.quorum.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.StatusResponse;
import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ClusterViewReaderTest {

  private static final long ID_0 = 0x8e9e05c52164694dL;
  private static final long ID_1 = 0xfd422379fda50e48L; // above Long.MAX_VALUE as unsigned
  private static final long ID_2 = 0x91bc3c398fb3c146L;

  @Test
  void combinesTheMemberListWithEachMembersAnswer() {
    ClusterView view = ClusterViewReader.view(0x14841639068965f8L,
        List.of(member(ID_1, "demo-1"), member(ID_0, "demo-0"), member(ID_2, "demo-2")),
        Map.of(
            ID_0, answered(ID_0, "3.6.16", ID_1, 7),
            ID_1, answered(ID_1, "3.6.16", ID_1, 7),
            ID_2, MemberProbe.failed(new CompletionException(new TimeoutException()))));

    assertThat(view.clusterIdHex()).isEqualTo("14841639068965f8");
    assertThat(view.members()).extracting(MemberView::name).containsExactly("demo-0", "demo-1", "demo-2");
    assertThat(view.leader()).map(MemberView::name).contains("demo-1");
    assertThat(member(view, "demo-1")).get().satisfies(m -> {
      assertThat(m.idHex()).isEqualTo("fd422379fda50e48");
      assertThat(m.reachable()).isTrue();
      assertThat(m.leaderKnown()).isTrue();
      assertThat(m.version()).isEqualTo("3.6.16");
      assertThat(m.peerURLs()).containsExactly("http://demo-1.demo.default.svc.cluster.local:2380");
      assertThat(m.clientURLs()).containsExactly("http://demo-1.demo.default.svc.cluster.local:2379");
      assertThat(m.learner()).isFalse();
    });
    assertThat(member(view, "demo-2")).get().satisfies(m -> {
      assertThat(m.reachable()).isFalse();
      assertThat(m.leaderKnown()).isFalse();
      assertThat(m.version()).isNull();
      assertThat(m.error()).isEqualTo("no answer within the request timeout");
    });
  }

  @Test
  void theLeaderIsTheOneSeenInTheNewestTerm() {
    // demo-2 was cut off and still believes in the leader of term 3
    long leader = ClusterViewReader.leaderId(List.of(
        answered(ID_2, "3.6.16", ID_2, 3), answered(ID_0, "3.6.16", ID_0, 5), answered(ID_1, "3.6.16", ID_0, 5)));

    assertThat(leader).isEqualTo(ID_0);
    assertThat(ClusterViewReader.leaderId(List.of(MemberProbe.failed(new ConnectException("refused"))))).isZero();
  }

  @Test
  void aMemberNotStartedYetHasNoNameAndIsNotAsked() {
    Member unstarted = Member.newBuilder().setID(ID_2)
        .addPeerURLs("http://demo-3.demo.default.svc.cluster.local:2380").setIsLearner(true).build();

    ClusterView view = ClusterViewReader.view(1, List.of(unstarted), Map.of());
    assertThat(view.members()).singleElement().satisfies(m -> {
      assertThat(m.started()).isFalse();
      assertThat(m.learner()).isTrue();
      assertThat(m.reachable()).isFalse();
    });
    assertThat(view.leader()).isEmpty();
  }

  @Test
  void failuresExplainThemselves() {
    assertThat(MemberProbe.failed(new CompletionException(new ConnectException("Connection refused"))).error())
        .isEqualTo("ConnectException: Connection refused");
    assertThat(MemberProbe.failed(io.grpc.Status.UNAVAILABLE.withDescription("io exception")
        .withCause(new ConnectException("Connection refused: /10.0.0.2:2379")).asRuntimeException()).error())
        .isEqualTo("ConnectException: Connection refused: /10.0.0.2:2379");
    assertThat(MemberProbe.failed(io.grpc.Status.DEADLINE_EXCEEDED.asRuntimeException()).error())
        .isEqualTo("no answer within the request timeout");
  }

  @Test
  void hexIdsRoundTripAsUnsignedNumbers() {
    assertThat(EtcdIds.toHex(ID_1)).isEqualTo("fd422379fda50e48");
    assertThat(Long.parseUnsignedLong(EtcdIds.toHex(ID_0), 16)).isEqualTo(ID_0);
  }

  private static java.util.Optional<MemberView> member(ClusterView view, String name) {
    return view.members().stream().filter(m -> name.equals(m.name())).findFirst();
  }

  private static Member member(long id, String name) {
    String host = name + ".demo.default.svc.cluster.local";
    return Member.newBuilder()
        .setID(id).setName(name)
        .addPeerURLs("http://" + host + ":2380")
        .addClientURLs("http://" + host + ":2379")
        .build();
  }

  private static MemberProbe answered(long self, String version, long leader, long term) {
    return MemberProbe.answered(StatusResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setMemberId(self))
        .setVersion(version).setLeader(leader).setRaftTerm(term).build());
  }
}
