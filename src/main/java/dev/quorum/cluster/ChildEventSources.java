package dev.quorum.cluster;

import dev.quorum.api.EtcdCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Informers on what the operator creates, so drift (an edited or deleted child) and pod readiness
 * changes trigger a reconcile. Only objects labelled by the operator are cached.
 */
final class ChildEventSources {

  private ChildEventSources() {}

  static List<EventSource<?, EtcdCluster>> all(EventSourceContext<EtcdCluster> context) {
    return List.of(
        owned(StatefulSet.class, context),
        owned(Service.class, context),
        owned(PodDisruptionBudget.class, context),
        pods(context));
  }

  private static <R extends HasMetadata> InformerEventSource<R, EtcdCluster> owned(Class<R> type,
      EventSourceContext<EtcdCluster> context) {
    InformerEventSourceConfiguration<R> configuration = InformerEventSourceConfiguration.from(type, EtcdCluster.class)
        .withLabelSelector(EtcdClusterNames.MANAGED_BY_LABEL + "=" + EtcdClusterNames.MANAGED_BY)
        .withSecondaryToPrimaryMapper(Mappers.<R>fromOwnerReferences(EtcdCluster.class))
        .build();
    return new InformerEventSource<>(configuration, context);
  }

  /** Pods belong to the StatefulSet, not to the EtcdCluster, so they are mapped by the cluster label. */
  private static InformerEventSource<Pod, EtcdCluster> pods(EventSourceContext<EtcdCluster> context) {
    InformerEventSourceConfiguration<Pod> configuration = InformerEventSourceConfiguration.from(Pod.class, EtcdCluster.class)
        .withLabelSelector(EtcdClusterNames.CLUSTER_LABEL)
        .withSecondaryToPrimaryMapper(ChildEventSources::clusterOf)
        .build();
    return new InformerEventSource<>(configuration, context);
  }

  static Set<ResourceID> clusterOf(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String cluster = labels == null ? null : labels.get(EtcdClusterNames.CLUSTER_LABEL);
    return cluster == null ? Set.of() : Set.of(new ResourceID(cluster, pod.getMetadata().getNamespace()));
  }
}
