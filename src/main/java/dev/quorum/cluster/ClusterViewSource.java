package dev.quorum.cluster;

import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.ClusterViewReader;
import dev.quorum.etcd.EtcdClientPool;
import dev.quorum.etcd.EtcdClusterClient;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.tls.OperatorClientTls;
import io.fabric8.kubernetes.api.model.Pod;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * Asks a cluster's members how they are, at their stable DNS names as any client in the cluster would (so a
 * certificate can name them); empty when none of them can be reached.
 */
@ApplicationScoped
public class ClusterViewSource {

  private static final Logger LOG = Logger.getLogger(ClusterViewSource.class);

  private final EtcdClientPool clients;
  private final OperatorClientTls tls;

  public ClusterViewSource(EtcdClientPool clients, OperatorClientTls tls) {
    this.clients = clients;
    this.tls = tls;
  }

  public Optional<ClusterView> read(EtcdClusterModel model, List<Pod> pods) {
    Map<String, String> endpoints = reachableEndpoints(model, pods);
    if (endpoints.isEmpty()) {
      clients.evict(model.key());
      return Optional.empty();
    }
    try (EtcdClientPool.Lease lease = clients.lease(model.key(), new ArrayList<>(endpoints.values()),
        tls.forCluster(model))) {
      return Optional.of(ClusterViewReader.read(lease.client(), endpoints));
    } catch (RuntimeException e) {
      // expected while members start
      LOG.debugf(e, "etcd members of %s did not answer", model.key());
      return Optional.empty();
    }
  }

  /**
   * Runs {@code call} with a client of the cluster and its running members' client URLs by name, from which the
   * client picks the member each call goes to; empty when no member runs.
   */
  public <T> Optional<T> withClient(EtcdClusterModel model, List<Pod> pods,
      BiFunction<EtcdClusterClient, Map<String, String>, T> call) {
    Map<String, String> endpoints = reachableEndpoints(model, pods);
    if (endpoints.isEmpty()) {
      return Optional.empty();
    }
    try (EtcdClientPool.Lease lease = clients.lease(model.key(), new ArrayList<>(endpoints.values()),
        tls.forCluster(model))) {
      return Optional.ofNullable(call.apply(lease.client(), endpoints));
    }
  }

  /** Member name to client URL, for members whose pod runs and is not going away. */
  static Map<String, String> reachableEndpoints(EtcdClusterModel model, List<Pod> pods) {
    Map<String, String> endpoints = new TreeMap<>();
    for (Member member : model.members()) {
      pods.stream()
          .filter(p -> member.name().equals(p.getMetadata().getName()))
          .filter(p -> p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
              && "Running".equals(p.getStatus().getPhase()))
          .findFirst()
          .ifPresent(p -> endpoints.put(member.name(), member.clientUrl()));
    }
    return endpoints;
  }
}
