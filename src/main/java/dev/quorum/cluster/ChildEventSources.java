package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdBackupSchedule;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.model.Labels;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Informers on what the operator creates, so drift (an edited or deleted child) and pod readiness changes
 * trigger a reconcile. Only objects labelled by the operator are cached. Everything is mapped to its cluster
 * by the cluster label: a retained volume claim has no owner reference.
 */
final class ChildEventSources {

  private ChildEventSources() {}

  static List<EventSource<?, EtcdCluster>> all(EventSourceContext<EtcdCluster> context) {
    return List.of(
        managed(Pod.class, context),
        managed(PersistentVolumeClaim.class, context),
        managed(Service.class, context),
        managed(ConfigMap.class, context),
        managed(PodDisruptionBudget.class, context),
        managed(EtcdBackupSchedule.class, context),
        recoveries(context));
  }

  /** A user's EtcdRecovery carries no label of ours: it names its cluster in its spec. */
  private static InformerEventSource<EtcdRecovery, EtcdCluster> recoveries(EventSourceContext<EtcdCluster> context) {
    InformerEventSourceConfiguration<EtcdRecovery> configuration =
        InformerEventSourceConfiguration.from(EtcdRecovery.class, EtcdCluster.class)
            .withSecondaryToPrimaryMapper(recovery -> recovery.getSpec() == null
                || recovery.getSpec().getClusterName() == null ? Set.of()
                : Set.of(new ResourceID(recovery.getSpec().getClusterName(), recovery.getMetadata().getNamespace())))
            .build();
    return new InformerEventSource<>(configuration, context);
  }

  private static <R extends HasMetadata> InformerEventSource<R, EtcdCluster> managed(Class<R> type,
      EventSourceContext<EtcdCluster> context) {
    InformerEventSourceConfiguration<R> configuration = InformerEventSourceConfiguration.from(type, EtcdCluster.class)
        .withLabelSelector(Labels.MANAGED_SELECTOR + "," + Labels.CLUSTER)
        .withSecondaryToPrimaryMapper(ChildEventSources::clusterOf)
        .build();
    return new InformerEventSource<>(configuration, context);
  }

  static Set<ResourceID> clusterOf(HasMetadata child) {
    Map<String, String> labels = child.getMetadata().getLabels();
    String cluster = labels == null ? null : labels.get(Labels.CLUSTER);
    return cluster == null ? Set.of() : Set.of(new ResourceID(cluster, child.getMetadata().getNamespace()));
  }
}
