package dev.quorum.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.cluster.MemberAddResponse;
import io.etcd.jetcd.cluster.MemberListResponse;
import io.etcd.jetcd.cluster.MemberRemoveResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client for one etcd cluster, reached through its members' own client URLs (their stable DNS names), as
 * any client inside the cluster would. Every call is bounded by the request timeout.
 */
public final class EtcdClusterClient implements AutoCloseable {

  private final Client client;
  private final List<String> endpoints;
  private final EtcdClientSettings settings;

  // package-private so pool tests can wrap a jetcd client that needs no network
  EtcdClusterClient(Client client, List<String> endpoints, EtcdClientSettings settings) {
    this.client = client;
    this.endpoints = List.copyOf(endpoints);
    this.settings = settings;
  }

  public static EtcdClusterClient connect(List<String> endpoints, EtcdClientSettings settings) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("an etcd client needs at least one endpoint");
    }
    ClientBuilder builder = Client.builder()
        .endpoints(endpoints.stream().map(URI::create).toArray(URI[]::new))
        .connectTimeout(settings.dialTimeout())
        // fail fast on a member that is down instead of queueing the call until it comes back
        .waitForReady(false)
        .interceptor(new DeadlineInterceptor(settings.requestTimeout()));
    settings.sslContext().ifPresent(builder::sslContext);
    return new EtcdClusterClient(builder.build(), endpoints, settings);
  }

  public List<String> endpoints() {
    return endpoints;
  }

  /** Served by any member from its local state, so it answers even without quorum. */
  public CompletableFuture<MemberListResponse> listMembers() {
    return bounded(client.getClusterClient().listMember());
  }

  /**
   * Adds a member as a learner: it receives the log but does not vote, so adding it never changes the quorum. The
   * answer carries its new ID and the membership to start it with.
   */
  public CompletableFuture<MemberAddResponse> addLearner(String peerUrl) {
    return bounded(client.getClusterClient().addMember(List.of(URI.create(peerUrl)), true));
  }

  /**
   * Removes a member (a voter or a learner) from the cluster by ID. etcd refuses ("unhealthy cluster") while the
   * removal could cost quorum, including for a few seconds after a membership change: the caller retries later.
   */
  public CompletableFuture<MemberRemoveResponse> removeMember(long id) {
    return bounded(client.getClusterClient().removeMember(id));
  }

  /**
   * Promotes a learner to a voter, asking the member at {@code endpoint}. Blocks up to the request timeout.
   *
   * @throws LearnerPromotion.NotCaughtUp while the learner is behind the leader
   */
  public void promoteLearner(String endpoint, long id) throws LearnerPromotion.NotCaughtUp {
    LearnerPromotion.promote(endpoint, settings, id);
  }

  /** Asks the leader at {@code leaderEndpoint} to hand leadership to voter {@code targetId}. Blocks. */
  public void moveLeader(String leaderEndpoint, long targetId) {
    LeaderTransfer.move(leaderEndpoint, settings, targetId);
  }

  /** Status of one member, asked on its own endpoint. */
  public CompletableFuture<StatusResponse> memberStatus(String endpoint) {
    return bounded(client.getMaintenanceClient().statusMember(endpoint));
  }

  /**
   * Streams the snapshot of the member at {@code endpoint} over a connection of its own: not through jetcd, and
   * bounded by {@code options.timeout()} rather than the request timeout (see {@link SnapshotStream}).
   */
  public SnapshotStream openSnapshot(String endpoint, SnapshotOptions options) throws IOException {
    return SnapshotStream.open(endpoint, settings, options);
  }

  /** The underlying jetcd client, for calls not wrapped here (KV). */
  public Client jetcd() {
    return client;
  }

  private <T> CompletableFuture<T> bounded(CompletableFuture<T> call) {
    return call.orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    client.close();
  }
}
