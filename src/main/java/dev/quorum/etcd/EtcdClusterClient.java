package dev.quorum.etcd;

import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.AlarmResponse;
import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.DefragmentRequest;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberAddResponse;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberListResponse;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.MoveLeaderRequest;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A client for one etcd cluster, reached through its members' own client URLs (their stable DNS names), as any client
 * inside the cluster would. Every call is aimed at one member, chosen by {@link MemberTargets}, and bounded by the
 * request timeout; a member that cannot serve it (down, starting, cut off, a learner) hands it on to the next.
 *
 * <p>Why not jetcd's {@code Cluster} and {@code Maintenance} clients: they send each call to whichever member their
 * balancer picks, so a promotion could land on the learner itself and a member list on a member that is down, and
 * jetcd 0.8.5 has no promotion at all. The generated gRPC stubs jetcd brings are used directly instead.
 */
public final class EtcdClusterClient implements AutoCloseable {

  /**
   * How long a member may take to hash its data: it reads its whole database (seconds for gigabytes), so longer than
   * the request timeout.
   */
  public static final Duration HASH_TIMEOUT = Duration.ofMinutes(1);

  private final List<String> endpoints;
  private final MemberChannels channels;

  // package-private so pool tests can count how often the channels are closed
  EtcdClusterClient(List<String> endpoints, MemberChannels channels) {
    this.endpoints = List.copyOf(endpoints);
    this.channels = channels;
  }

  /** Connects lazily: no network until the first call. */
  public static EtcdClusterClient connect(List<String> endpoints, EtcdClientSettings settings) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("an etcd client needs at least one endpoint");
    }
    return new EtcdClusterClient(endpoints, new MemberChannels(settings));
  }

  public List<String> endpoints() {
    return endpoints;
  }

  MemberChannels channels() {
    return channels;
  }

  /** What the member at {@code endpoint} says of itself: served by any member that runs, a learner too. */
  public CompletableFuture<StatusResponse> memberStatus(String endpoint) {
    return bounded(channels.call(endpoint, MaintenanceGrpc.getStatusMethod(), StatusRequest.getDefaultInstance()));
  }

  /**
   * The hash of the data the member at {@code endpoint} holds up to {@code revision}; served from the member's own
   * data (a maintenance call, answered under a CORRUPT alarm too), within {@link #HASH_TIMEOUT}.
   */
  public CompletableFuture<MemberHash> memberHash(String endpoint, long revision) {
    return bounded(channels.call(endpoint, MaintenanceGrpc.getHashKVMethod(),
        HashKVRequest.newBuilder().setRevision(revision).build(), HASH_TIMEOUT), HASH_TIMEOUT)
        .thenApply(answer -> new MemberHash(answer.getHeader().getMemberId(), revision, answer.getCompactRevision(),
            Integer.toUnsignedLong(answer.getHash())));
  }

  /**
   * The member list, from the first member in {@code targets} that serves it (each serves it from its own state, so it
   * answers without quorum; a learner refuses). Blocks.
   *
   * @param targets in the order {@link MemberTargets#forMemberList} gives
   * @throws EtcdCallFailed when no member served it
   */
  public MemberListResponse listMembers(List<String> targets) {
    return firstAnswer("reading the member list", targets, EtcdCallFailed.Effect.READ,
        endpoint -> channels.call(endpoint, ClusterGrpc.getMemberListMethod(), MemberListRequest.getDefaultInstance()));
  }

  /**
   * Adds a member as a learner: it receives the log but does not vote, so adding it never changes the quorum. The
   * answer carries its new ID and the membership to start it with. Asked of the leader, then the other healthy voters.
   *
   * @throws EtcdCallFailed when etcd refused or no voter could be asked
   */
  public MemberAddResponse addLearner(Map<String, String> endpoints, ClusterView reading, String peerUrl) {
    MemberAddRequest request = MemberAddRequest.newBuilder().addPeerURLs(peerUrl).setIsLearner(true).build();
    return firstAnswer("adding a learner at " + peerUrl, MemberTargets.forMembershipChange(endpoints, reading),
        EtcdCallFailed.Effect.CHANGE, endpoint -> channels.call(endpoint, ClusterGrpc.getMemberAddMethod(), request));
  }

  /**
   * Removes a member (a voter or a learner) from the cluster by ID, asking the leader, then the other healthy voters.
   * etcd refuses ("unhealthy cluster") while the removal could cost quorum, including for a few seconds after a
   * membership change: the caller retries later.
   *
   * @throws EtcdCallFailed when etcd refused or no voter could be asked
   */
  public void removeMember(Map<String, String> endpoints, ClusterView reading, long id) {
    MemberRemoveRequest request = MemberRemoveRequest.newBuilder().setID(id).build();
    firstAnswer("removing member " + EtcdIds.toHex(id), MemberTargets.forMembershipChange(endpoints, reading),
        EtcdCallFailed.Effect.CHANGE, endpoint -> channels.call(endpoint, ClusterGrpc.getMemberRemoveMethod(), request));
  }

  /**
   * Promotes a learner to a voter, asking the leader (which alone knows whether the learner has caught up), then the
   * other healthy voters, which forward it to the leader; never the learner itself.
   *
   * @throws LearnerPromotion.NotCaughtUp while the learner is behind the leader
   * @throws EtcdCallFailed when etcd refused otherwise, or no voter could be asked
   */
  public void promoteLearner(Map<String, String> endpoints, ClusterView reading, long id)
      throws LearnerPromotion.NotCaughtUp {
    try {
      firstAnswer("promoting learner " + EtcdIds.toHex(id), MemberTargets.forMembershipChange(endpoints, reading),
          EtcdCallFailed.Effect.CHANGE,
          endpoint -> channels.call(endpoint, LearnerPromotion.MEMBER_PROMOTE, id));
    } catch (EtcdCallFailed e) {
      if (e.status().filter(LearnerPromotion::isNotCaughtUp).isPresent()) {
        throw new LearnerPromotion.NotCaughtUp("learner " + EtcdIds.toHex(id)
            + " has not caught up with the leader yet: " + e.status().get().getDescription());
      }
      throw e;
    }
  }

  /**
   * Asks the leader to hand leadership to voter {@code targetId}; returns once it has. Only the leader can: any other
   * member answers "not leader".
   *
   * @throws EtcdCallFailed when etcd refused (the leader changed meanwhile, the target is no voter) or no leader is
   *     known
   */
  public void moveLeader(Map<String, String> endpoints, ClusterView reading, long targetId) {
    MoveLeaderRequest request = MoveLeaderRequest.newBuilder().setTargetID(targetId).build();
    firstAnswer("moving leadership to " + EtcdIds.toHex(targetId),
        MemberTargets.forLeaderTransfer(endpoints, reading).stream().toList(), EtcdCallFailed.Effect.CHANGE,
        endpoint -> channels.call(endpoint, MaintenanceGrpc.getMoveLeaderMethod(), request));
  }

  /**
   * Validates, enables or cancels a downgrade of the cluster to {@code version} (major.minor) through etcd's downgrade
   * API, asking the leader, then the other healthy voters. Blocks.
   *
   * @throws EtcdCallFailed when etcd refused (validation failed, another downgrade runs, none to cancel)
   */
  public void downgrade(Map<String, String> endpoints, ClusterView reading, EtcdDowngrade.Action action,
      String version) {
    EtcdDowngrade.Request request = new EtcdDowngrade.Request(action, version);
    firstAnswer(action.name().toLowerCase(java.util.Locale.ROOT) + " downgrade to " + version,
        MemberTargets.forMembershipChange(endpoints, reading), EtcdCallFailed.Effect.CHANGE,
        endpoint -> channels.call(endpoint, EtcdDowngrade.METHOD, request));
  }

  /**
   * The alarms raised in the cluster ({@code etcdctl alarm list}), asked of the given members in turn. The list goes
   * through Raft: only a member with a quorum behind it answers. Blocks.
   *
   * @throws EtcdCallFailed when no member answered
   */
  public List<EtcdAlarm> alarms(List<String> targets) {
    AlarmResponse response = firstAnswer("reading the alarms", targets, EtcdCallFailed.Effect.READ,
        endpoint -> channels.call(endpoint, MaintenanceGrpc.getAlarmMethod(),
            AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.GET).build()));
    return response.getAlarmsList().stream().map(EtcdAlarm::of).flatMap(Optional::stream).toList();
  }

  /** Disarms one alarm ({@code etcdctl alarm disarm}), asking the leader, then the other healthy voters. Blocks. */
  public void disarm(Map<String, String> endpoints, ClusterView reading, EtcdAlarm alarm) {
    AlarmRequest request = AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.DEACTIVATE)
        .setMemberID(alarm.memberId()).setAlarmValue(alarm.type().number).build();
    firstAnswer("disarming " + alarm.type() + " of member " + alarm.memberIdHex(),
        MemberTargets.forMembershipChange(endpoints, reading), EtcdCallFailed.Effect.CHANGE,
        endpoint -> channels.call(endpoint, MaintenanceGrpc.getAlarmMethod(), request));
  }

  /**
   * Compacts the key-value history up to {@code revision}, returning once the member asked has dropped it from its
   * database (physical), so a defragmentation after it gives the space back. History already compacted that far
   * counts as done: a compaction repeated after an operator restart changes nothing. Blocks.
   */
  public void compact(Map<String, String> endpoints, ClusterView reading, long revision) {
    CompactionRequest request = CompactionRequest.newBuilder().setRevision(revision).setPhysical(true).build();
    try {
      firstAnswer("compacting up to revision " + revision, MemberTargets.forMembershipChange(endpoints, reading),
          EtcdCallFailed.Effect.CHANGE, endpoint -> channels.call(endpoint, KVGrpc.getCompactMethod(), request));
    } catch (EtcdCallFailed e) {
      if (e.status().filter(s -> s.getCode() == io.grpc.Status.Code.OUT_OF_RANGE).isEmpty()) {
        throw e;
      }
    }
  }

  /**
   * Defragments the database of the member at {@code endpoint}: it rewrites the file without the free pages, and
   * serves no request meanwhile, so one member at a time. Bounded by {@code timeout}, not the request timeout. Blocks.
   */
  public void defragment(String endpoint, Duration timeout) {
    firstAnswer("defragmenting " + endpoint, List.of(endpoint), EtcdCallFailed.Effect.CHANGE,
        e -> channels.call(e, MaintenanceGrpc.getDefragmentMethod(), DefragmentRequest.getDefaultInstance(), timeout),
        timeout);
  }

  /**
   * Streams the snapshot of the member at {@code endpoint} over a connection of its own, bounded by
   * {@code options.timeout()} rather than the request timeout (see {@link SnapshotStream}).
   */
  public SnapshotStream openSnapshot(String endpoint, SnapshotOptions options) throws IOException {
    return SnapshotStream.open(endpoint, channels.settings(), options);
  }

  /** Asks each member in turn until one answers; what one cannot serve goes on to the next. Blocks. */
  private <T> T firstAnswer(String what, List<String> targets, EtcdCallFailed.Effect effect,
      Function<String, CompletableFuture<T>> call) {
    return firstAnswer(what, targets, effect, call, channels.settings().requestTimeout());
  }

  private <T> T firstAnswer(String what, List<String> targets, EtcdCallFailed.Effect effect,
      Function<String, CompletableFuture<T>> call, Duration deadline) {
    List<String> tried = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (String endpoint : targets) {
      tried.add(endpoint);
      try {
        return bounded(call.apply(endpoint), deadline).get();
      } catch (ExecutionException e) {
        failures.add(e.getCause());
        if (!EtcdCallFailed.askAnother(e.getCause(), effect)) {
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.add(e);
        break;
      }
    }
    throw EtcdCallFailed.of(what, tried, failures);
  }

  /** A safety net: the call's own deadline ends it first, unless name resolution hangs before it starts. */
  private <T> CompletableFuture<T> bounded(CompletableFuture<T> call) {
    return bounded(call, channels.settings().requestTimeout());
  }

  private static <T> CompletableFuture<T> bounded(CompletableFuture<T> call, Duration deadline) {
    return call.orTimeout(deadline.toMillis() + 1000, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    channels.close();
  }
}
