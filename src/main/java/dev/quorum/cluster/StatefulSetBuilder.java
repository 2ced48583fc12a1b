package dev.quorum.cluster;

import dev.quorum.api.EtcdCluster;
import dev.quorum.api.EtcdClusterSpec;
import dev.quorum.api.PodSettings;
import dev.quorum.api.StorageSpec;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpecBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** The StatefulSet that runs the members, one pod per member with a stable name and volume. */
public final class StatefulSetBuilder {

  static final String CONTAINER = "etcd";
  static final String DATA_VOLUME = "data";
  static final String HOSTNAME_TOPOLOGY = "kubernetes.io/hostname";

  private StatefulSetBuilder() {}

  public static StatefulSet build(EtcdCluster cluster, OperatorDefaults defaults) {
    EtcdClusterSpec spec = cluster.getSpec();
    StorageSpec storage = spec.getStorage() != null ? spec.getStorage() : new StorageSpec();
    StatefulSetSpecBuilder sts = new StatefulSetSpecBuilder()
        .withReplicas(spec.getSize())
        .withServiceName(EtcdClusterNames.peerService(cluster))
        // every initial member must be up at once to reach quorum; OrderedReady would wait forever on pod 0
        .withPodManagementPolicy("Parallel")
        .withNewSelector().withMatchLabels(EtcdClusterNames.selectorLabels(cluster)).endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels(cluster))
        .withAnnotations(podAnnotations(spec.getPod()))
        .endMetadata()
        .withSpec(podSpec(cluster, defaults, storage))
        .endTemplate();
    if (!storage.isEphemeral()) {
      sts.withVolumeClaimTemplates(volumeClaim(storage))
          .withNewPersistentVolumeClaimRetentionPolicy()
          .withWhenDeleted(storage.getPvcRetentionPolicy().name())
          // a scaled-down member's data stays until it is removed from etcd on purpose
          .withWhenScaled("Retain")
          .endPersistentVolumeClaimRetentionPolicy();
    }
    return new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder()
        .withMetadata(ChildMetadata.of(cluster, EtcdClusterNames.statefulSet(cluster)))
        .withSpec(sts.build())
        .build();
  }

  public static String image(EtcdClusterSpec spec, OperatorDefaults defaults) {
    if (spec.getImage() != null && !spec.getImage().isBlank()) {
      return spec.getImage();
    }
    String repository = spec.getRepository() != null ? spec.getRepository() : defaults.defaultRepository();
    String version = spec.getVersion() != null ? spec.getVersion() : defaults.defaultVersion();
    return repository + ":v" + version;
  }

  private static PodSpec podSpec(EtcdCluster cluster, OperatorDefaults defaults, StorageSpec storage) {
    EtcdClusterSpec spec = cluster.getSpec();
    PodSettings pod = spec.getPod() != null ? spec.getPod() : new PodSettings();
    PodSpecBuilder podSpec = new PodSpecBuilder()
        .withSecurityContext(PodSecurity.pod())
        // etcd reads ETCD_* variables as flags; service links would inject e.g. ETCD_PORT for a Service named etcd
        .withEnableServiceLinks(false)
        .withImagePullSecrets(spec.getImagePullSecrets())
        .withNodeSelector(pod.getNodeSelector())
        .withAffinity(pod.getAffinity() != null ? pod.getAffinity() : defaultAffinity(cluster))
        .withTolerations(pod.getTolerations())
        .withTopologySpreadConstraints(pod.getTopologySpreadConstraints())
        .withPriorityClassName(pod.getPriorityClassName())
        .withContainers(container(cluster, defaults, pod));
    if (storage.isEphemeral()) {
      podSpec.withVolumes(new VolumeBuilder().withName(DATA_VOLUME).withNewEmptyDir().endEmptyDir().build());
    }
    return podSpec.build();
  }

  private static Container container(EtcdCluster cluster, OperatorDefaults defaults, PodSettings pod) {
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(image(cluster.getSpec(), defaults))
        .withImagePullPolicy(cluster.getSpec().getImagePullPolicy())
        .withCommand("/usr/local/bin/etcd")
        .withArgs(EtcdArgs.build(cluster, defaults))
        .withEnv(fieldRef("POD_NAME", "metadata.name"), fieldRef("POD_NAMESPACE", "metadata.namespace"))
        .withPorts(
            new ContainerPortBuilder().withName("client").withContainerPort(EtcdClusterNames.CLIENT_PORT).build(),
            new ContainerPortBuilder().withName("peer").withContainerPort(EtcdClusterNames.PEER_PORT).build(),
            new ContainerPortBuilder().withName("metrics").withContainerPort(EtcdClusterNames.METRICS_PORT).build())
        .addNewVolumeMount().withName(DATA_VOLUME).withMountPath(EtcdArgs.DATA_MOUNT).endVolumeMount()
        .withResources(pod.getResources())
        .withStartupProbe(EtcdProbes.startup())
        .withReadinessProbe(EtcdProbes.readiness())
        .withLivenessProbe(EtcdProbes.liveness())
        .withSecurityContext(PodSecurity.container())
        .build();
  }

  private static EnvVar fieldRef(String name, String fieldPath) {
    return new EnvVarBuilder().withName(name)
        .withNewValueFrom().withNewFieldRef().withFieldPath(fieldPath).endFieldRef().endValueFrom()
        .build();
  }

  private static PersistentVolumeClaim volumeClaim(StorageSpec storage) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName(DATA_VOLUME).endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(storage.getStorageClassName())
        .withNewResources().addToRequests("storage", new Quantity(storage.getSize())).endResources()
        .endSpec()
        .build();
  }

  /** Members prefer distinct nodes, so losing one node costs at most one member when possible. */
  static Affinity defaultAffinity(EtcdCluster cluster) {
    return new AffinityBuilder()
        .withNewPodAntiAffinity()
        .addNewPreferredDuringSchedulingIgnoredDuringExecution()
        .withWeight(100)
        .withNewPodAffinityTerm()
        .withTopologyKey(HOSTNAME_TOPOLOGY)
        .withNewLabelSelector().withMatchLabels(EtcdClusterNames.selectorLabels(cluster)).endLabelSelector()
        .endPodAffinityTerm()
        .endPreferredDuringSchedulingIgnoredDuringExecution()
        .endPodAntiAffinity()
        .build();
  }

  /** User labels first, so the operator's selector labels always win. */
  private static Map<String, String> podLabels(EtcdCluster cluster) {
    Map<String, String> labels = new LinkedHashMap<>();
    PodSettings pod = cluster.getSpec().getPod();
    if (pod != null && pod.getLabels() != null) {
      labels.putAll(pod.getLabels());
    }
    labels.putAll(EtcdClusterNames.labels(cluster));
    return labels;
  }

  private static Map<String, String> podAnnotations(PodSettings pod) {
    return pod != null && pod.getAnnotations() != null ? new LinkedHashMap<>(pod.getAnnotations()) : Map.of();
  }
}
