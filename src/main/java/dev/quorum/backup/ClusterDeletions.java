package dev.quorum.backup;

import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.metrics.BackupMetrics;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Set;

/**
 * Follows EtcdClusters for the backup controller, in the namespaces it watches, to drop a deleted cluster's backup
 * metrics: a last-success gauge left behind would look like a backup that stopped, and page someone. Triggers no
 * reconcile (a backup of a deleted cluster finds that out when it next runs).
 */
final class ClusterDeletions extends InformerEventSource<EtcdCluster, EtcdBackup> {

  private final BackupMetrics metrics;

  ClusterDeletions(EventSourceContext<EtcdBackup> context, BackupMetrics metrics) {
    super(InformerEventSourceConfiguration.from(EtcdCluster.class, EtcdBackup.class)
        .withName("cluster-deletions")
        .withSecondaryToPrimaryMapper(cluster -> Set.of())
        .build(), context);
    this.metrics = metrics;
  }

  @Override
  public synchronized void onDelete(EtcdCluster cluster, boolean deletedFinalStateUnknown) {
    super.onDelete(cluster, deletedFinalStateUnknown);
    metrics.forgetCluster(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName());
  }
}
