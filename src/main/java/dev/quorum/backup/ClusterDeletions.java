package dev.quorum.backup;

import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.metrics.BackupMetrics;
import dev.quorum.metrics.ClusterHealthMetrics;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Set;

/**
 * Follows EtcdClusters for the backup controller, in the namespaces it watches, to drop a deleted cluster's metrics
 * (backups' and health's): a last-success gauge or a member left behind would look like a backup that stopped or a
 * member that is down, and page someone. The cluster controller has no finalizer to learn of a deletion, so this
 * informer, which the backup controller keeps anyway, tells both. Triggers no reconcile (a backup of a deleted
 * cluster finds that out when it next runs).
 */
final class ClusterDeletions extends InformerEventSource<EtcdCluster, EtcdBackup> {

  private final BackupMetrics metrics;
  private final ClusterHealthMetrics health;

  ClusterDeletions(EventSourceContext<EtcdBackup> context, BackupMetrics metrics, ClusterHealthMetrics health) {
    super(InformerEventSourceConfiguration.from(EtcdCluster.class, EtcdBackup.class)
        .withName("cluster-deletions")
        .withSecondaryToPrimaryMapper(cluster -> Set.of())
        .build(), context);
    this.metrics = metrics;
    this.health = health;
  }

  @Override
  public synchronized void onDelete(EtcdCluster cluster, boolean deletedFinalStateUnknown) {
    super.onDelete(cluster, deletedFinalStateUnknown);
    metrics.forgetCluster(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName());
    health.forgetCluster(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(),
        cluster.getMetadata().getUid());
  }
}
