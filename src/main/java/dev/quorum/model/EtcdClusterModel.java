package dev.quorum.model;

import dev.quorum.api.v1alpha1.ClusterTls;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.PodSettings;
import dev.quorum.api.v1alpha1.StaticPodSettings;
import dev.quorum.api.v1alpha1.StorageSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One EtcdCluster resolved once per reconcile: names, labels, members with their URLs and bootstrap, the
 * scheme, the image. Every builder reads it, so a name, URL or default is decided here and nowhere else.
 */
public final class EtcdClusterModel {

  private final EtcdCluster resource;
  private final OperatorSettings settings;
  private final Scheme scheme;
  private final String version;
  private final String declaredVersion;
  private final Optional<String> rolledBackUpgrade;
  private final String image;
  private final String token;
  private final List<Member> members;
  private final MemberBootstrapRecords records;
  /** StaticPod mode: the nodes that run the members. */
  private final Optional<NodePlacement> placement;
  private final Optional<String> tlsRevision;

  private EtcdClusterModel(EtcdCluster resource, OperatorSettings settings, MemberBootstrapRecords records,
      Optional<RestoreSource> foundingRestore, List<ClusterNode> nodes) {
    this.resource = resource;
    this.settings = settings;
    EtcdClusterSpec spec = resource.getSpec();
    this.placement = spec.staticPods()
        ? Optional.of(NodePlacement.of(resource.getMetadata().getName(), nodes,
            spec.getStaticPod() == null ? Map.of() : spec.getStaticPod().getNodeSelector(), records))
        : Optional.empty();
    this.scheme = spec.getTls() != null ? Scheme.HTTPS : Scheme.HTTP;
    this.declaredVersion = blankToNull(spec.getVersion()).orElse(EtcdClusterSpec.DEFAULT_VERSION);
    String repository = blankToNull(spec.getRepository()).orElse(EtcdClusterSpec.DEFAULT_REPOSITORY);
    Optional<String> from = annotation(resource, Annotations.UPGRADE_FROM);
    this.rolledBackUpgrade = annotation(resource, Annotations.UPGRADE_ROLLED_BACK)
        .filter(v -> v.startsWith(declaredVersion + ": ")).filter(v -> from.isPresent());
    if (rolledBackUpgrade.isPresent()) {
      // the upgrade failed: the members go back to (and stay on) the version they ran, until the spec names another
      this.version = from.get();
      this.image = repository + ":v" + version;
    } else {
      this.version = declaredVersion;
      this.image = blankToNull(spec.getImage()).orElse(repository + ":v" + version);
    }
    this.token = initialClusterToken(resource);
    this.records = records;
    this.members = members(memberNames(spec.getSize()), records, foundingRestore);
    this.tlsRevision = Optional.empty();
  }

  private EtcdClusterModel(EtcdClusterModel model, Optional<String> tlsRevision) {
    this.resource = model.resource;
    this.settings = model.settings;
    this.scheme = model.scheme;
    this.version = model.version;
    this.declaredVersion = model.declaredVersion;
    this.rolledBackUpgrade = model.rolledBackUpgrade;
    this.image = model.image;
    this.token = model.token;
    this.members = model.members;
    this.records = model.records;
    this.placement = model.placement;
    this.tlsRevision = tlsRevision;
  }

  /** @param records the recorded bootstrap of members that have one; the others are founding members */
  public static EtcdClusterModel of(EtcdCluster cluster, OperatorSettings settings, MemberBootstrapRecords records) {
    return new EtcdClusterModel(cluster, settings, records, Optional.empty(), List.of());
  }

  /**
   * @param foundingRestore the snapshot founding members restore their data from ({@code spec.bootstrap.restore},
   *     resolved); members already on record keep what their record says
   */
  public static EtcdClusterModel of(EtcdCluster cluster, OperatorSettings settings, MemberBootstrapRecords records,
      Optional<RestoreSource> foundingRestore) {
    return new EtcdClusterModel(cluster, settings, records, foundingRestore, List.of());
  }

  /**
   * @param nodes StaticPod mode: every node of the Kubernetes cluster (those the selector matches run the members; the
   *     others tell where members that are to leave run)
   */
  public static EtcdClusterModel of(EtcdCluster cluster, OperatorSettings settings, MemberBootstrapRecords records,
      Optional<RestoreSource> foundingRestore, List<ClusterNode> nodes) {
    return new EtcdClusterModel(cluster, settings, records, foundingRestore, nodes);
  }

  private List<String> memberNames(int size) {
    if (placement.isPresent()) {
      return placement.get().members();
    }
    List<String> names = new ArrayList<>();
    for (int ordinal = 0; ordinal < size; ordinal++) {
      names.add(memberName(ordinal));
    }
    return names;
  }

  private List<Member> members(List<String> names, MemberBootstrapRecords records,
      Optional<RestoreSource> foundingRestore) {
    MemberBootstrap founding = new MemberBootstrap(MemberBootstrap.State.NEW, foundingCluster(names), token);
    List<Member> result = new ArrayList<>();
    for (int ordinal = 0; ordinal < names.size(); ordinal++) {
      String name = names.get(ordinal);
      MemberBootstrap bootstrap = records.of(name).orElseGet(() -> foundingRestore
          .map(source -> founding.restoring(source, freshDataName(name, uidPrefix(resource).orElse("restored"))))
          .orElse(founding));
      result.add(member(name, ordinal, bootstrap));
    }
    return List.copyOf(result);
  }

  private Member member(String name, int ordinal, MemberBootstrap bootstrap) {
    return new Member(name, ordinal, memberHost(name), peerUrl(name), clientUrl(name), bootstrap);
  }

  /**
   * Members there could be beyond the members, each with its URLs and recorded bootstrap (a joining one when it has
   * no record), the one to leave first first: the ordinals above the size up to the largest size, or in StaticPod
   * mode one per node not selected and those on record whose node is gone. The membership removes those etcd lists
   * or that are on record.
   */
  public List<Member> others() {
    List<String> names = new ArrayList<>();
    if (placement.isPresent()) {
      names.addAll(placement.get().others());
    } else {
      for (int ordinal = EtcdClusterSpec.MAX_SIZE - 1; ordinal >= members.size(); ordinal--) {
        names.add(memberName(ordinal));
      }
    }
    List<Member> others = new ArrayList<>();
    for (String name : names) {
      others.add(member(name, members.size() + others.size(), recordedOrJoining(name)));
    }
    return others;
  }

  private MemberBootstrap recordedOrJoining(String name) {
    return records.of(name).orElseGet(() -> new MemberBootstrap(MemberBootstrap.State.EXISTING,
        foundingCluster(List.of(name)), token));
  }

  /**
   * Members whose pods a voluntary disruption may leave running at the least: all but one of every member that runs
   * or is to run (the larger of the size and the members on record, while a scale changes them).
   */
  public int minAvailableMembers() {
    return Math.max(size(), records.count()) - 1;
  }

  /** Founding members start together, each knowing all of them. */
  private String foundingCluster(List<String> names) {
    return names.stream().map(n -> n + "=" + peerUrl(n)).collect(Collectors.joining(","));
  }

  /**
   * The records that restore {@code source} over this cluster in place: every member a founding member again, under
   * a new cluster token (a new cluster identity, so no member of the replaced data can join it), each on a fresh
   * claim, so the replaced data stays on the old claims until it is removed.
   *
   * @param restoreId unique per restore: in the token and the claims' names
   */
  public MemberBootstrapRecords restoredInPlace(RestoreSource source, String restoreId) {
    List<String> names = members.stream().map(Member::name).toList();
    MemberBootstrap founding = new MemberBootstrap(MemberBootstrap.State.NEW, foundingCluster(names),
        name() + "-" + restoreId);
    Map<String, MemberBootstrap> records = new LinkedHashMap<>();
    for (String member : names) {
      records.put(member, founding.restoring(source, freshDataName(member, restoreId)));
    }
    return new MemberBootstrapRecords(Map.copyOf(records), Map.of());
  }

  public EtcdCluster resource() {
    return resource;
  }

  public EtcdClusterSpec spec() {
    return resource.getSpec();
  }

  public String name() {
    return resource.getMetadata().getName();
  }

  public String namespace() {
    return resource.getMetadata().getNamespace();
  }

  /** namespace/name, for logs and client pools. */
  public String key() {
    return namespace() + "/" + name();
  }

  public Scheme scheme() {
    return scheme;
  }

  /** The version the members are to run: the spec's, or the one they ran before an upgrade to it failed. */
  public String version() {
    return version;
  }

  /** The version the spec asks for. */
  public String declaredVersion() {
    return declaredVersion;
  }

  /** Why the upgrade to the declared version was rolled back, while the spec still asks for it. */
  public Optional<String> rolledBackUpgrade() {
    return rolledBackUpgrade.map(v -> v.substring(declaredVersion.length() + 2));
  }

  public String image() {
    return image;
  }

  /** The operator's own image, whose tool mode restoring members run. */
  public String operatorImage() {
    return settings.operatorImage();
  }

  public List<Member> members() {
    return members;
  }

  public int size() {
    return members.size();
  }

  public int quorum() {
    return Quorum.quorum(size());
  }

  /** Whether the members are static pods on the selected nodes (StaticPod mode). */
  public boolean staticPods() {
    return placement.isPresent();
  }

  /** StaticPod mode: why the selected nodes cannot be the membership now, if they cannot. */
  public Optional<String> placementProblem() {
    return placement.flatMap(NodePlacement::problem);
  }

  /** Whether a member's data lives only as long as its pod (an emptyDir). Never in StaticPod mode. */
  public boolean ephemeral() {
    return !staticPods() && storage().isEphemeral();
  }

  public StorageSpec storage() {
    return resource.getSpec().getStorage() != null ? resource.getSpec().getStorage() : new StorageSpec();
  }

  public PodSettings podSettings() {
    return resource.getSpec().getPod() != null ? resource.getSpec().getPod() : new PodSettings();
  }

  /**
   * Unique per EtcdCluster object, so fresh members of a re-created cluster of the same name never form a
   * cluster with a deleted one's members (data already on a retained claim keeps its own cluster).
   */
  public String initialClusterToken() {
    return token;
  }

  // --- names of what the cluster is made of ---

  /** Headless Service that gives every member a stable DNS name. */
  public String peerService() {
    return name();
  }

  public String clientService() {
    return name() + "-client";
  }

  public String podDisruptionBudget() {
    return name();
  }

  /** ConfigMap holding each member's recorded bootstrap. */
  public String membersConfigMap() {
    return membersConfigMap(name());
  }

  public static String membersConfigMap(String clusterName) {
    return clusterName + "-members";
  }

  /** TLS: the Secrets, the certificates' issuer and what they cover. */
  public TlsModel tls() {
    return new TlsModel(this, settings.clusterDomain());
  }

  /** StaticPod mode: where members run and where their files are. */
  public StaticPodLayout staticPod() {
    return new StaticPodLayout(this, placement.orElseThrow(() -> new IllegalStateException(key()
        + " is not in StaticPod mode")), records);
  }

  /**
   * TLS: which contents of the members' Secret their pods are to start with (a pod started with others is rolled);
   * empty until the operator has read the Secret this pass, and for a plain-text cluster.
   */
  public Optional<String> tlsRevision() {
    return tlsRevision;
  }

  /** This model, for members that are to run with the members' Secret at {@code revision}. */
  public EtcdClusterModel withTlsRevision(String revision) {
    return new EtcdClusterModel(this, Optional.of(revision));
  }

  /** The EtcdBackupSchedule the operator keeps for an inline {@code spec.backup}. */
  public String backupSchedule() {
    return name() + "-backup";
  }

  /** A member's (and its pod's) name. */
  public String memberName(int ordinal) {
    return name() + "-" + ordinal;
  }

  /**
   * The member's data volume claim: the name a StatefulSet's "data" claim template would give it, or the fresh one
   * its record names (a restored member's).
   */
  public String claimName(Member member) {
    return member.bootstrap().dataClaim().orElse(defaultClaimName(member.name()));
  }

  private static String defaultClaimName(String member) {
    return "data-" + member;
  }

  /** Data of the member's own for one life (a restore's id, a static pod join's member id): never an existing one. */
  public static String freshDataName(String member, String life) {
    return defaultClaimName(member) + "-" + life;
  }

  /** The claims a member may have had: its default one and those of its restores (for cleaning replaced data). */
  public static boolean isClaimOf(String claim, String member) {
    return claim.equals(defaultClaimName(member)) || claim.startsWith(defaultClaimName(member) + "-");
  }

  // --- addresses: a member's stable DNS name through the peer Service, or its node's address ---

  public String memberHost(String member) {
    if (placement.isPresent()) {
      return placement.get().addressOf(member).or(() -> recordedHost(member)).orElse(placement.get().nodeOf(member));
    }
    return member + "." + peerService() + "." + namespace() + ".svc." + settings.clusterDomain();
  }

  /** The host of the member's own peer URL in its record: where it ran, when its node is gone. */
  private Optional<String> recordedHost(String member) {
    return records.of(member).flatMap(b -> Arrays.stream(b.initialCluster().split(","))
        .filter(pair -> pair.startsWith(member + "="))
        .map(pair -> pair.substring(member.length() + 1).replaceFirst("^[a-z]+://", "").replaceFirst(":[0-9]+$", ""))
        .findFirst());
  }

  private String peerUrl(String member) {
    return scheme.url(memberHost(member), EtcdPorts.PEER);
  }

  private String clientUrl(String member) {
    return scheme.url(memberHost(member), EtcdPorts.CLIENT);
  }

  private String clientServiceHost() {
    return clientService() + "." + namespace() + ".svc." + settings.clusterDomain();
  }

  /** host:port of the client Service, as the status reports it. */
  public String clientEndpoint() {
    return clientServiceHost() + ":" + EtcdPorts.CLIENT;
  }

  // --- labels ---

  /** Labels that select the member pods; they never change. */
  public Map<String, String> selectorLabels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.NAME, Labels.NAME_VALUE);
    labels.put(Labels.INSTANCE, name());
    labels.put(Labels.CLUSTER, name());
    return labels;
  }

  /** Labels on every object the operator creates. */
  public Map<String, String> labels() {
    Map<String, String> labels = selectorLabels();
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    return labels;
  }

  /** Labels of one member's pod and claim. */
  public Map<String, String> memberLabels(Member member) {
    Map<String, String> labels = labels();
    labels.put(Labels.MEMBER, member.name());
    return labels;
  }

  /** The selector in the string form a scale subresource reports. */
  public String selector() {
    return selectorLabels().entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }

  private static String initialClusterToken(EtcdCluster cluster) {
    String name = cluster.getMetadata().getName();
    return uidPrefix(cluster).map(prefix -> name + "-" + prefix).orElse(name);
  }

  /** The first 8 characters of an object's uid: short, and unique enough to tell its generations apart. */
  public static Optional<String> uidPrefix(HasMetadata resource) {
    String uid = resource.getMetadata().getUid();
    return uid == null || uid.isEmpty() ? Optional.empty() : Optional.of(uid.substring(0, Math.min(8, uid.length())));
  }

  private static Optional<String> annotation(HasMetadata resource, String key) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? Optional.empty() : blankToNull(annotations.get(key));
  }

  static Optional<String> blankToNull(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }
}
