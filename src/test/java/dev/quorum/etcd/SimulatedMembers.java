package dev.quorum.etcd;

import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberAddResponse;
import io.etcd.jetcd.api.MemberListResponse;
import io.etcd.jetcd.api.MemberRemoveResponse;
import io.etcd.jetcd.api.MoveLeaderResponse;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * For the combinatorics only (every position of a learner, a dead member and the leader): members that answer each
 * call as etcd's members do, in etcd's words, without a network. That the words and the behaviour are etcd's own is
 * shown against real etcd processes by {@code EtcdMembershipIT} and on the rig by the fault matrix.
 */
final class SimulatedMembers extends MemberChannels {

  static final long CLUSTER_ID = 0x14841639068965f8L;
  static final long TERM = 7;

  /** One member: a voter or a learner, running or down. */
  record Simulated(String name, long id, boolean learner, boolean down) {
    String endpoint() {
      return "http://" + name + ".demo.default.svc.cluster.local:2379";
    }

    String peerUrl() {
      return "http://" + name + ".demo.default.svc.cluster.local:2380";
    }
  }

  private final Map<String, Simulated> byEndpoint = new TreeMap<>();
  private final List<Simulated> members;
  private final String leader;
  /** Which member served each call, as "method@name", in order. */
  final List<String> served = new ArrayList<>();
  /** Which member refused each call, as "method@name", in order. */
  final List<String> refused = new ArrayList<>();

  SimulatedMembers(List<Simulated> members, String leader) {
    super(new EtcdClientSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), Optional.empty()));
    this.members = members;
    this.leader = leader;
    members.forEach(m -> byEndpoint.put(m.endpoint(), m));
  }

  Simulated member(String name) {
    return members.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
  }

  /** Each running member's endpoint by name, as the operator knows them from the pods, in the order given. */
  Map<String, String> endpoints(List<String> order) {
    Map<String, String> endpoints = new java.util.LinkedHashMap<>();
    order.forEach(name -> endpoints.put(name, member(name).endpoint()));
    return endpoints;
  }

  @Override
  @SuppressWarnings("unchecked")
  <Q, R> CompletableFuture<R> call(String endpoint, MethodDescriptor<Q, R> method, Q request) {
    Simulated member = byEndpoint.get(endpoint);
    String call = method.getBareMethodName() + "@" + (member == null ? endpoint : member.name());
    if (member == null || member.down()) {
      refused.add(call);
      return CompletableFuture.failedFuture(Status.UNAVAILABLE.withDescription("io exception")
          .withCause(new ConnectException("Connection refused")).asRuntimeException());
    }
    Object answer = switch (method.getBareMethodName()) {
      case "Status" -> StatusResponse.newBuilder().setHeader(header(member)).setVersion("3.6.16")
          .setLeader(idOf(leader)).setRaftTerm(TERM).build();
      case "MemberList" -> member.learner() ? null
          : MemberListResponse.newBuilder().setHeader(header(member)).addAllMembers(members.stream()
              .map(m -> Member.newBuilder().setID(m.id()).setName(m.name()).addPeerURLs(m.peerUrl())
                  .addClientURLs(m.endpoint()).setIsLearner(m.learner()).build()).toList()).build();
      case "MemberAdd" -> member.learner() ? null : MemberAddResponse.newBuilder().setHeader(header(member)).build();
      case "MemberRemove" -> member.learner() ? null : MemberRemoveResponse.getDefaultInstance();
      case "MemberPromote" -> member.learner() ? null : new byte[0];
      case "MoveLeader" -> member.name().equals(leader) ? MoveLeaderResponse.getDefaultInstance() : "not leader";
      case "Alarm" -> member.learner() ? null : io.etcd.jetcd.api.AlarmResponse.newBuilder().setHeader(header(member)).build();
      default -> throw new IllegalArgumentException("not simulated: " + method.getFullMethodName());
    };
    if (answer == null) {
      refused.add(call);
      return CompletableFuture.failedFuture(Status.FAILED_PRECONDITION
          .withDescription("etcdserver: rpc not supported for learner").asRuntimeException());
    }
    if ("not leader".equals(answer)) {
      refused.add(call);
      return CompletableFuture.failedFuture(Status.FAILED_PRECONDITION.withDescription("etcdserver: not leader")
          .asRuntimeException());
    }
    served.add(call);
    return CompletableFuture.completedFuture((R) answer);
  }

  private long idOf(String name) {
    return members.stream().filter(m -> m.name().equals(name)).mapToLong(Simulated::id).findFirst().orElse(0);
  }

  private static ResponseHeader header(Simulated member) {
    return ResponseHeader.newBuilder().setClusterId(CLUSTER_ID).setMemberId(member.id()).setRevision(42).build();
  }
}
