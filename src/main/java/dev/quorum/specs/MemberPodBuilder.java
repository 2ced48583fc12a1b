package dev.quorum.specs;

import dev.quorum.api.v1alpha1.PodSettings;
import dev.quorum.model.Annotations;
import dev.quorum.model.ContentHash;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.EtcdPorts;
import dev.quorum.model.Labels;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrap;
import dev.quorum.model.Scheme;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pod of one member. The operator owns member pods directly (no StatefulSet), so each carries its own
 * bootstrap flags and any member can be created, replaced or rolled on its own; static pods reuse
 * {@link #podSpec}.
 */
public final class MemberPodBuilder {

  public static final String CONTAINER = "etcd";
  public static final String DATA_VOLUME = "data";
  static final String TLS_VOLUME = "tls";
  /** Readable by the etcd user's group (the pod's fsGroup), by no one else. */
  static final int TLS_FILE_MODE = 0440;
  /** The priority of kubeadm's control-plane static pods: the last a node under pressure evicts. */
  static final String NODE_CRITICAL = "system-node-critical";

  private MemberPodBuilder() {}

  public static Pod build(EtcdClusterModel model, Member member) {
    PodSpec spec = podSpec(model, member, EtcdArgs.build(model, member));
    // part of the bootstrap, like its flags: not in the shape hash, so dropping them after the restore rolls nothing
    spec.setInitContainers(RestoreContainers.build(model, member));
    Map<String, String> annotations = userAnnotations(model);
    annotations.put(Annotations.SHAPE_HASH, shapeHash(model, member));
    annotations.put(Annotations.VERSION, model.version());
    model.tlsRevision().ifPresent(revision -> annotations.put(Annotations.TLS_REVISION, revision));
    if (model.staticPods()) {
      // a manifest: no owner (the kubelet makes the Node its mirror pod's owner); the uid tells this cluster's
      // mirror pods from those of a deleted namesake
      annotations.put(Annotations.CLUSTER_UID, model.resource().getMetadata().getUid());
      return new PodBuilder()
          .withNewMetadata().withName(model.staticPod().staticPodName()).withNamespace(model.namespace())
          .withLabels(podLabels(model, member)).withAnnotations(annotations).endMetadata()
          .withSpec(spec)
          .build();
    }
    Map<String, String> labels = podLabels(model, member);
    if (member.bootstrap().state() == MemberBootstrap.State.NEW) {
      // a founding member votes from its first start, so clients reach it as soon as it is ready; a member joining
      // as a learner is labelled once promoted. Not part of the shape: the operator keeps it as etcd says
      labels.put(Labels.VOTER, Labels.VOTER_VALUE);
    }
    return new PodBuilder()
        .withMetadata(ChildMetadata.builder(model, member.name())
            .withLabels(labels)
            .withAnnotations(annotations)
            .build())
        .withSpec(spec)
        .build();
  }

  /** The hash a pod of this member carries when it runs the current spec. */
  public static String shapeHash(EtcdClusterModel model, Member member) {
    PodSpec shape = podSpec(model, member, EtcdArgs.shape(model, member));
    // a new certificate or CA in the Secret rolls the members too: etcd reads the CAs it trusts only as it starts.
    // Not with ephemeral storage, whose members are never restarted: they take a renewed certificate from the
    // mounted Secret as the kubelet updates it (etcd rereads it per handshake)
    String canonical = Serialization.asJson(shape) + Serialization.asJson(podLabels(model, member))
        + Serialization.asJson(userAnnotations(model)) + (model.ephemeral() ? "" : model.tlsRevision().orElse(""));
    return ContentHash.of(canonical);
  }

  public static PodSpec podSpec(EtcdClusterModel model, Member member, List<String> args) {
    PodSettings pod = model.podSettings();
    if (model.staticPods()) {
      return staticPodSpec(model, member, pod, args);
    }
    return new PodSpecBuilder()
        // <hostname>.<subdomain> is the member's DNS name through the headless peer Service
        .withHostname(member.name())
        .withSubdomain(model.peerService())
        .withSecurityContext(PodSecurity.pod())
        // etcd reads ETCD_* variables as flags; service links would inject e.g. ETCD_PORT for a Service named etcd
        .withEnableServiceLinks(false)
        .withImagePullSecrets(model.spec().getImagePullSecrets())
        .withNodeSelector(pod.getNodeSelector())
        .withAffinity(pod.getAffinity() != null ? pod.getAffinity() : defaultAffinity(model))
        .withTolerations(pod.getTolerations())
        .withTopologySpreadConstraints(pod.getTopologySpreadConstraints())
        .withPriorityClassName(pod.getPriorityClassName())
        .withContainers(container(model, pod, args))
        .withVolumes(volumes(model, member))
        .build();
  }

  private static List<Volume> volumes(EtcdClusterModel model, Member member) {
    if (model.scheme() != Scheme.HTTPS) {
      return List.of(dataVolume(model, member));
    }
    return List.of(dataVolume(model, member), new VolumeBuilder().withName(TLS_VOLUME).withNewSecret()
        .withSecretName(model.tls().memberTlsSecret()).withDefaultMode(TLS_FILE_MODE).endSecret().build());
  }

  /**
   * A kubeadm-style static pod: the node's network (the member listens at the node's address), its data in a host
   * directory, as root as kubeadm's etcd (a host directory takes no fsGroup), and node-critical.
   */
  private static PodSpec staticPodSpec(EtcdClusterModel model, Member member, PodSettings pod, List<String> args) {
    Container container = new ContainerBuilder(container(model, pod, args))
        .withSecurityContext(PodSecurity.staticPodContainer())
        .build();
    return new PodSpecBuilder()
        .withHostNetwork(true)
        .withDnsPolicy("ClusterFirstWithHostNet")
        .withSecurityContext(PodSecurity.staticPod())
        .withEnableServiceLinks(false)
        .withImagePullSecrets(model.spec().getImagePullSecrets())
        .withPriorityClassName(pod.getPriorityClassName() != null ? pod.getPriorityClassName() : NODE_CRITICAL)
        .withContainers(container)
        .withVolumes(staticPodVolumes(model, member))
        .build();
  }

  /**
   * The member's data directory on its node; with TLS also the directory the node agent puts the members'
   * certificates in (a static pod cannot mount a Secret). That one must exist: the agent writes it before the manifest.
   */
  private static List<Volume> staticPodVolumes(EtcdClusterModel model, Member member) {
    Volume data = new VolumeBuilder().withName(DATA_VOLUME).withNewHostPath().withPath(model.staticPod().dataHostPath(member))
        .withType("DirectoryOrCreate").endHostPath().build();
    if (model.scheme() != Scheme.HTTPS) {
      return List.of(data);
    }
    return List.of(data, new VolumeBuilder().withName(TLS_VOLUME).withNewHostPath().withPath(model.staticPod().tlsHostPath())
        .withType("Directory").endHostPath().build());
  }

  private static Container container(EtcdClusterModel model, PodSettings pod, List<String> args) {
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(model.image())
        .withImagePullPolicy(model.spec().getImagePullPolicy())
        .withCommand("/usr/local/bin/etcd")
        .withArgs(args)
        .withPorts(
            new ContainerPortBuilder().withName("client").withContainerPort(EtcdPorts.CLIENT).build(),
            new ContainerPortBuilder().withName("peer").withContainerPort(EtcdPorts.PEER).build(),
            new ContainerPortBuilder().withName(EtcdPorts.METRICS_NAME).withContainerPort(EtcdPorts.METRICS).build())
        .addNewVolumeMount().withName(DATA_VOLUME).withMountPath(EtcdArgs.DATA_MOUNT).endVolumeMount()
        .addAllToVolumeMounts(model.scheme() != Scheme.HTTPS ? List.of() : List.of(new VolumeMountBuilder()
            .withName(TLS_VOLUME).withMountPath(EtcdArgs.TLS_MOUNT).withReadOnly(true).build()))
        .withResources(pod.getResources())
        .withStartupProbe(EtcdProbes.startup())
        .withReadinessProbe(EtcdProbes.readiness())
        .withLivenessProbe(EtcdProbes.liveness())
        .withSecurityContext(PodSecurity.container())
        .build();
  }

  private static Volume dataVolume(EtcdClusterModel model, Member member) {
    VolumeBuilder volume = new VolumeBuilder().withName(DATA_VOLUME);
    return model.ephemeral()
        ? volume.withNewEmptyDir().endEmptyDir().build()
        : volume.withNewPersistentVolumeClaim().withClaimName(model.claimName(member)).endPersistentVolumeClaim().build();
  }

  /** Members prefer distinct nodes, so losing one node costs at most one member when possible. */
  static Affinity defaultAffinity(EtcdClusterModel model) {
    return new AffinityBuilder()
        .withNewPodAntiAffinity()
        .addNewPreferredDuringSchedulingIgnoredDuringExecution()
        .withWeight(100)
        .withNewPodAffinityTerm()
        .withTopologyKey(Labels.HOSTNAME)
        .withNewLabelSelector().withMatchLabels(model.selectorLabels()).endLabelSelector()
        .endPodAffinityTerm()
        .endPreferredDuringSchedulingIgnoredDuringExecution()
        .endPodAntiAffinity()
        .build();
  }

  /** User labels first, so the operator's labels always win. */
  private static Map<String, String> podLabels(EtcdClusterModel model, Member member) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (model.podSettings().getLabels() != null) {
      labels.putAll(model.podSettings().getLabels());
    }
    labels.putAll(model.memberLabels(member));
    return labels;
  }

  private static Map<String, String> userAnnotations(EtcdClusterModel model) {
    Map<String, String> annotations = new LinkedHashMap<>();
    if (model.podSettings().getAnnotations() != null) {
      annotations.putAll(model.podSettings().getAnnotations());
    }
    return annotations;
  }
}
