package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = EtcdClusterSpec.BOOTSTRAP_IMMUTABLE_RULE, message = EtcdClusterSpec.BOOTSTRAP_IMMUTABLE_MESSAGE)
@ValidationRule(value = EtcdClusterSpec.STATIC_POD_SETTINGS_RULE, message = EtcdClusterSpec.STATIC_POD_SETTINGS_MESSAGE)
@ValidationRule(value = EtcdClusterSpec.TLS_IMMUTABLE_RULE, message = EtcdClusterSpec.TLS_IMMUTABLE_MESSAGE)
public class EtcdClusterSpec {

  static final String TLS_IMMUTABLE_RULE =
      "has(self.tls) == has(oldSelf.tls) && (!has(self.tls) || self.tls == oldSelf.tls)";
  public static final String TLS_IMMUTABLE_MESSAGE =
      "tls cannot be added, changed or removed after creation: every member's URLs change with it; create a new"
          + " cluster with tls and restore a backup into it";

  static final String STATIC_POD_SETTINGS_RULE =
      "has(self.mode) && self.mode == 'StaticPod' ? has(self.staticPod) : !has(self.staticPod)";
  public static final String STATIC_POD_SETTINGS_MESSAGE =
      "staticPod is required when mode is StaticPod (its nodeSelector picks the nodes that run a member), and only"
          + " then";
  public static final String MODE_IMMUTABLE_MESSAGE =
      "mode cannot change after creation: members are either pods with volume claims or static pods with data on"
          + " their nodes; create a new cluster and restore a backup into it";

  static final String BOOTSTRAP_IMMUTABLE_RULE =
      "has(self.bootstrap) == has(oldSelf.bootstrap) && (!has(self.bootstrap) || self.bootstrap == oldSelf.bootstrap)";

  /**
   * The etcd version a cluster gets when its spec names none. The API server writes it into the resource at
   * creation (CRD default), so a later operator release with a newer default never upgrades a running cluster.
   */
  public static final String DEFAULT_VERSION = "3.6.16";
  public static final String DEFAULT_REPOSITORY = "quay.io/coreos/etcd";

  /** The largest size admission accepts: more members slow every write down for little gain. */
  public static final int MAX_SIZE = 9;
  public static final String SIZE_RULE = "self % 2 == 1 && self >= 3 && self <= " + MAX_SIZE;
  public static final String SIZE_MESSAGE =
      "size must be an odd number from 3 to 9: etcd needs a majority of members (quorum = size/2 + 1)"
          + " to work, so an even size tolerates no more failures than the odd size below it,"
          + " fewer than 3 members tolerate no failure at all, and more than 9 slow every write down";
  /** 3.5.11 added /readyz and /livez, which the member probes use. */
  public static final String VERSION_PATTERN = "^(3[.]5[.](1[1-9]|[2-9][0-9])|3[.][6-9][.][0-9]+)$"; // no backslashes: CEL string
  public static final String VERSION_MESSAGE =
      "version must be an etcd release from 3.5.11 on, written like 3.6.16: the member probes use the /readyz"
          + " and /livez endpoints that etcd added in 3.5.11";
  public static final String BOOTSTRAP_IMMUTABLE_MESSAGE =
      "bootstrap cannot be added, changed or removed after creation: it says how a new cluster's data starts; to"
      + " restore an existing cluster, create an EtcdRestore";
  /** Only the size may change: a claim cannot move to another class, become ephemeral, or change hands on deletion. */
  static final String STORAGE_FIXED_RULE = "self.ephemeral == oldSelf.ephemeral"
      + " && self.pvcRetentionPolicy == oldSelf.pvcRetentionPolicy"
      + " && (has(self.storageClassName) ? has(oldSelf.storageClassName)"
      + " && self.storageClassName == oldSelf.storageClassName : !has(oldSelf.storageClassName))";
  public static final String STORAGE_IMMUTABLE_MESSAGE =
      "only storage.size may change after creation: each member's volume claim is created once, and a claim"
          + " cannot move to another storage class or become ephemeral;"
          + " create a new cluster and restore a backup into it";
  static final String STORAGE_GROWS_RULE = "!isQuantity(self.size) || !isQuantity(oldSelf.size)"
      + " || quantity(self.size).compareTo(quantity(oldSelf.size)) >= 0";
  public static final String STORAGE_SHRINK_MESSAGE =
      "storage.size may grow but not shrink: a volume claim cannot be made smaller; create a new cluster with"
          + " smaller volumes and restore a backup into it";

  @JsonPropertyDescription("How the members run: StatefulSet (member pods with volume claims, the default) or"
      + " StaticPod (kubeadm-style static pods on the nodes spec.staticPod selects). Immutable.")
  @Default("StatefulSet")
  @ValidationRule(value = "self == oldSelf", message = MODE_IMMUTABLE_MESSAGE)
  private ClusterMode mode = ClusterMode.StatefulSet;

  @JsonPropertyDescription("StaticPod mode: the nodes that run a member, the kubelet's manifest directory and the"
      + " host directory of the data.")
  private StaticPodSettings staticPod;

  @JsonPropertyDescription("Number of etcd members: an odd number from 3 to 9. A change adds or removes one member"
      + " at a time through the etcd membership API. Ignored in StaticPod mode, where every selected node runs one.")
  @Default("3")
  @SpecReplicas
  @ValidationRule(value = SIZE_RULE, message = SIZE_MESSAGE)
  private int size = 3;

  @JsonPropertyDescription("etcd version to run, e.g. 3.6.16; the image tag is v<version>.")
  @Default(DEFAULT_VERSION)
  @ValidationRule(value = "self.matches('" + VERSION_PATTERN + "')", message = VERSION_MESSAGE)
  private String version;

  @JsonPropertyDescription("Image repository; the image is <repository>:v<version>.")
  @Default(DEFAULT_REPOSITORY)
  private String repository;

  @JsonPropertyDescription("Full image reference; overrides repository and version when set.")
  private String image;

  @JsonPropertyDescription("Pull policy of the etcd image: Always, IfNotPresent or Never.")
  @Pattern("^(Always|IfNotPresent|Never)$")
  private String imagePullPolicy;

  @JsonPropertyDescription("Secrets used to pull the etcd image.")
  private List<LocalObjectReference> imagePullSecrets = new ArrayList<>();

  @JsonPropertyDescription("Where members keep their data. Only size may change after creation, and only grow: each"
      + " member's claim asks for the new size where its StorageClass allows expansion, and the default quota follows"
      + " once every volume has grown.")
  @Default("{}")
  @ValidationRule(value = STORAGE_FIXED_RULE, message = STORAGE_IMMUTABLE_MESSAGE)
  @ValidationRule(value = STORAGE_GROWS_RULE, message = STORAGE_SHRINK_MESSAGE)
  private StorageSpec storage = new StorageSpec();

  @JsonPropertyDescription("When the members' databases are defragmented (one member at a time, the leader last):"
      + " on a schedule, when free pages pass a share of a member's file, or both. Unset: only to recover from"
      + " NOSPACE.")
  private DefragmentationPolicy defragmentation;

  @JsonPropertyDescription("etcd tuning flags.")
  private EtcdTuning etcd;

  @JsonPropertyDescription("Scheduling, resources and metadata of the member pods.")
  private PodSettings pod;

  @JsonPropertyDescription("When true the operator changes nothing in the cluster but still reports its status.")
  private boolean paused;

  @JsonPropertyDescription("How the cluster's data starts: restored from a backup. Immutable; read only when the"
      + " members are first created.")
  private ClusterBootstrap bootstrap;

  @JsonPropertyDescription("TLS for peers and clients, client certificates required. Immutable.")
  private ClusterTls tls;

  @JsonPropertyDescription("Back this cluster up on a schedule: the operator keeps an EtcdBackupSchedule named"
      + " <cluster>-backup for it, and deletes it when this is removed (the objects in the store stay).")
  private ClusterBackupSchedule backup;

  @JsonPropertyDescription("What happens when quorum is lost for good: reported, then recovered when asked (an"
      + " EtcdRecovery) or by the operator itself after a deadline.")
  private QuorumLossPolicy quorumLoss;

  public ClusterMode getMode() {
    return mode;
  }

  public void setMode(ClusterMode mode) {
    this.mode = mode;
  }

  /** Whether the members are static pods; a spec without a mode is a StatefulSet-mode one. */
  public boolean staticPods() {
    return mode == ClusterMode.StaticPod;
  }

  public StaticPodSettings getStaticPod() {
    return staticPod;
  }

  public void setStaticPod(StaticPodSettings staticPod) {
    this.staticPod = staticPod;
  }

  public ClusterTls getTls() {
    return tls;
  }

  public void setTls(ClusterTls tls) {
    this.tls = tls;
  }

  public ClusterBootstrap getBootstrap() {
    return bootstrap;
  }

  public void setBootstrap(ClusterBootstrap bootstrap) {
    this.bootstrap = bootstrap;
  }

  public int getSize() {
    return size;
  }

  public void setSize(int size) {
    this.size = size;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public String getRepository() {
    return repository;
  }

  public void setRepository(String repository) {
    this.repository = repository;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public String getImagePullPolicy() {
    return imagePullPolicy;
  }

  public void setImagePullPolicy(String imagePullPolicy) {
    this.imagePullPolicy = imagePullPolicy;
  }

  public List<LocalObjectReference> getImagePullSecrets() {
    return imagePullSecrets;
  }

  public void setImagePullSecrets(List<LocalObjectReference> imagePullSecrets) {
    this.imagePullSecrets = imagePullSecrets;
  }

  public DefragmentationPolicy getDefragmentation() {
    return defragmentation;
  }

  public void setDefragmentation(DefragmentationPolicy defragmentation) {
    this.defragmentation = defragmentation;
  }

  public StorageSpec getStorage() {
    return storage;
  }

  public void setStorage(StorageSpec storage) {
    this.storage = storage;
  }

  public EtcdTuning getEtcd() {
    return etcd;
  }

  public void setEtcd(EtcdTuning etcd) {
    this.etcd = etcd;
  }

  public PodSettings getPod() {
    return pod;
  }

  public void setPod(PodSettings pod) {
    this.pod = pod;
  }

  public boolean isPaused() {
    return paused;
  }

  public void setPaused(boolean paused) {
    this.paused = paused;
  }

  public QuorumLossPolicy getQuorumLoss() {
    return quorumLoss;
  }

  public void setQuorumLoss(QuorumLossPolicy quorumLoss) {
    this.quorumLoss = quorumLoss;
  }

  public ClusterBackupSchedule getBackup() {
    return backup;
  }

  public void setBackup(ClusterBackupSchedule backup) {
    this.backup = backup;
  }
}
