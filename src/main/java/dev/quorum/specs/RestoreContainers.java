package dev.quorum.specs;

import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.RestoreSource;
import dev.quorum.podtool.RestoreTool;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The init containers of a member that starts from a snapshot (see docs/design.md, "Restore"): the operator's image
 * fetches and verifies it, the cluster's own etcd image runs {@code etcdutl snapshot restore} into a work directory
 * on the data volume, and the operator's image installs the result only if the member has no data yet. So a pod
 * recreated after its restore starts from its own data, never from the snapshot again.
 */
public final class RestoreContainers {

  public static final String FETCH = "fetch-snapshot";
  public static final String PREPARE = "prepare-snapshot";
  public static final String RESTORE = "restore-snapshot";
  public static final String INSTALL = "install-restored";
  /** On the data volume, so the restored directory moves into place with one rename. */
  public static final String WORK_DIR = EtcdArgs.DATA_MOUNT + "/restore";
  static final String ACCESS_KEY_ID_ENV = "AWS_ACCESS_KEY_ID";
  static final String SECRET_ACCESS_KEY_ENV = "AWS_SECRET_ACCESS_KEY";
  /** A failing container's last log lines become its termination message, which the cluster's status shows. */
  static final String TERMINATION_MESSAGE_POLICY = "FallbackToLogsOnError";

  private RestoreContainers() {}

  /**
   * None for a member whose record names no snapshot. A static pod cannot read the store's credentials Secret, so its
   * snapshot is fetched beforehand by {@link #fetchPod} into its data directory, and only restored and installed here.
   */
  public static List<Container> build(EtcdClusterModel model, Member member) {
    if (model.staticPods()) {
      // every step runs again when the pod restarts: prepare finds the member's data then, and the rest keep it
      return member.bootstrap().restore().map(source -> List.of(
          tool(model, PREPARE, RestoreTool.prepareArgs(EtcdArgs.DATA_DIR, WORK_DIR)).build(),
          restore(model, member),
          install(model))).orElse(List.of());
    }
    return member.bootstrap().restore().map(source -> List.of(
        fetch(model, source),
        restore(model, member),
        install(model))).orElse(List.of());
  }

  /**
   * StaticPod mode: the pod that fetches a restoring member's snapshot into its data directory on its node, before
   * the member's manifest is written. Pinned to the node by name; it tolerates the node's taints, as the member does.
   */
  public static Optional<Pod> fetchPod(EtcdClusterModel model, Member member) {
    return member.bootstrap().restore().map(source -> new PodBuilder()
        .withMetadata(ChildMetadata.builder(model, fetchPodName(model, member)).build())
        .withNewSpec()
        .withNodeName(model.staticPod().nodeOf(member))
        .withRestartPolicy("OnFailure")
        .withEnableServiceLinks(false)
        .withImagePullSecrets(model.spec().getImagePullSecrets())
        .addNewToleration().withOperator("Exists").endToleration()
        .withSecurityContext(PodSecurity.staticPod())
        .withContainers(new ContainerBuilder(fetch(model, source))
            .withSecurityContext(PodSecurity.staticPodContainer()).build())
        .withVolumes(MemberPodBuilder.podSpec(model, member, List.of()).getVolumes())
        .endSpec()
        .build());
  }

  /** One per restore of a member: named after the data directory it fills. */
  public static String fetchPodName(EtcdClusterModel model, Member member) {
    return "fetch-" + model.claimName(member);
  }

  /**
   * Whether this pod restored its data: it mounts {@code claim} (ephemeral members mount none; a static pod the host
   * directory named after it) and its install container ended successfully.
   */
  public static boolean installed(Pod pod, String claim) {
    boolean mountsClaim = pod.getSpec().getVolumes().stream()
        .noneMatch(v -> v.getPersistentVolumeClaim() != null && !claim.equals(v.getPersistentVolumeClaim().getClaimName())
            || v.getHostPath() != null && !v.getHostPath().getPath().endsWith("/" + claim));
    return mountsClaim && pod.getStatus() != null && pod.getStatus().getInitContainerStatuses().stream()
        .filter(s -> INSTALL.equals(s.getName()))
        .anyMatch(s -> s.getState() != null && s.getState().getTerminated() != null
            && Integer.valueOf(0).equals(s.getState().getTerminated().getExitCode()));
  }

  private static Container fetch(EtcdClusterModel model, RestoreSource source) {
    return tool(model, FETCH, RestoreTool.fetchArgs(source, EtcdArgs.DATA_DIR, WORK_DIR))
        .withEnv(credentials(source))
        .build();
  }

  private static Container restore(EtcdClusterModel model, Member member) {
    String work = WORK_DIR + "/";
    List<String> args = new ArrayList<>(List.of("snapshot", "restore", work + RestoreTool.SNAPSHOT_FILE,
        "--name=" + member.name(),
        "--initial-cluster=" + member.bootstrap().initialCluster(),
        "--initial-cluster-token=" + member.bootstrap().token(),
        "--initial-advertise-peer-urls=" + member.peerUrl(),
        "--data-dir=" + work + RestoreTool.RESTORED_DIR,
        // the fetch step checked the object's SHA-256 and etcd's checksum; a member's own database (a pod
        // recreated after its restore) has no appended checksum
        "--skip-hash-check=true"));
    long bump = member.bootstrap().restore().map(RestoreSource::bumpRevision).orElse(0L);
    if (bump > 0) {
      // every member the same bump (the record's): they must agree on every revision
      args.addAll(List.of("--bump-revision=" + bump, "--mark-compacted"));
    }
    return new ContainerBuilder()
        .withName(RESTORE)
        .withImage(model.image())
        .withImagePullPolicy(model.spec().getImagePullPolicy())
        .withCommand("/usr/local/bin/etcdutl")
        .withArgs(args)
        .addNewVolumeMount().withName(MemberPodBuilder.DATA_VOLUME).withMountPath(EtcdArgs.DATA_MOUNT).endVolumeMount()
        .withResources(model.podSettings().getResources())
        .withSecurityContext(securityContext(model))
        .withTerminationMessagePolicy(TERMINATION_MESSAGE_POLICY)
        .build();
  }

  /** As the member's own container: a static pod's runs as root, which owns its host directory. */
  private static SecurityContext securityContext(EtcdClusterModel model) {
    return model.staticPods() ? PodSecurity.staticPodContainer() : PodSecurity.container();
  }

  private static Container install(EtcdClusterModel model) {
    return tool(model, INSTALL, RestoreTool.installArgs(EtcdArgs.DATA_DIR, WORK_DIR)).build();
  }

  /** The operator's image in tool mode: its entrypoint with the tool's arguments. */
  private static ContainerBuilder tool(EtcdClusterModel model, String name, List<String> args) {
    return new ContainerBuilder()
        .withName(name)
        .withImage(model.operatorImage())
        .withArgs(args)
        .addNewVolumeMount().withName(MemberPodBuilder.DATA_VOLUME).withMountPath(EtcdArgs.DATA_MOUNT).endVolumeMount()
        // the member's own: a namespace quota that requires them is met, and a pod's request is the larger of its
        // init containers' and its containers', so this adds nothing
        .withResources(model.podSettings().getResources())
        .withSecurityContext(securityContext(model))
        .withTerminationMessagePolicy(TERMINATION_MESSAGE_POLICY);
  }

  private static List<EnvVar> credentials(RestoreSource source) {
    List<EnvVar> env = new ArrayList<>();
    source.credentials().ifPresent(secret -> {
      env.add(secretKey(ACCESS_KEY_ID_ENV, secret.name(), secret.accessKeyIdKey()));
      env.add(secretKey(SECRET_ACCESS_KEY_ENV, secret.name(), secret.secretAccessKeyKey()));
    });
    return env;
  }

  private static EnvVar secretKey(String name, String secret, String key) {
    return new EnvVarBuilder().withName(name)
        .withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key).endSecretKeyRef().endValueFrom()
        .build();
  }
}
