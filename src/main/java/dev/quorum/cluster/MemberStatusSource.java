package dev.quorum.cluster;

import dev.quorum.api.EtcdCluster;
import dev.quorum.etcd.ClusterSnapshot;
import dev.quorum.etcd.EtcdClientPool;
import dev.quorum.etcd.EtcdClusterClient;
import dev.quorum.etcd.MemberStatusReader;
import io.fabric8.kubernetes.api.model.Pod;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/** Asks a cluster's members how they are; empty when none of them can be reached. */
@ApplicationScoped
public class MemberStatusSource {

  private static final Logger LOG = Logger.getLogger(MemberStatusSource.class);

  private final EtcdClientPool clients;

  public MemberStatusSource(EtcdClientPool clients) {
    this.clients = clients;
  }

  public Optional<ClusterSnapshot> read(EtcdCluster cluster, List<Pod> pods) {
    String key = cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
    Map<String, String> endpoints = MemberEndpoints.byPodName(pods, clients.settings().scheme());
    if (endpoints.isEmpty()) {
      clients.evict(key);
      return Optional.empty();
    }
    try (EtcdClientPool.Lease lease = clients.lease(key, new ArrayList<>(endpoints.values()))) {
      return Optional.of(MemberStatusReader.read(lease.client(), endpoints));
    } catch (RuntimeException e) {
      // expected while members start, or when pod IPs are not routable from the operator
      LOG.debugf(e, "etcd members of %s did not answer", key);
      return Optional.empty();
    }
  }
}
