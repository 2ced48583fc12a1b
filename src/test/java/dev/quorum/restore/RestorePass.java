package dev.quorum.restore;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.EtcdRestoreSpec;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.api.v1alpha1.InPlaceRestore;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.SnapshotSource;
import dev.quorum.model.Annotations;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.RestoreSource;
import dev.quorum.podtool.SnapshotVerifier;
import dev.quorum.testing.TestRestores;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One pass of an EtcdRestore as {@link RestorePlanner} sees it, built up in a test: the restore {@code restore-1} of
 * the 3-member cluster {@code orders} in namespace {@code default}, from the EtcdBackup {@code nightly}.
 */
final class RestorePass {

  static final String NAMESPACE = "default";
  static final String CLUSTER = "orders";
  static final String NAME = "restore-1";
  static final String UID = "9b2c4d6e-1a3f-4e5d-8c7b-6a5f4e3d2c1b";
  /** The restore's uid prefix: in the new cluster token and the claims' names. */
  static final String RESTORE_ID = "9b2c4d6e";
  static final String SHA256 = "ab".repeat(32);
  static final RestoreSource SOURCE = new RestoreSource("backups", "etcd/default/orders/nightly.db", "us-east-1",
      Optional.of("http://s3:9000"), true, Optional.empty(), Optional.of(SHA256))
      .withBumpRevision(SnapshotSource.DEFAULT_BUMP_REVISION);
  static final String LOCATION = "s3://backups/etcd/default/orders/nightly.db";
  static final SnapshotVerifier.Verified VERIFIED = new SnapshotVerifier.Verified(SHA256, 4096, 4096, false, true);
  static final Instant NOW = Instant.parse("2026-03-04T05:06:07.250Z");

  private final EtcdRestore restore;
  private EtcdRestoreStatus status = new EtcdRestoreStatus();
  private Optional<EtcdCluster> cluster = Optional.empty();
  private MemberBootstrapRecords records = MemberBootstrapRecords.NONE;
  private List<Pod> memberPods = List.of();
  private List<Pod> fetchPods = List.of();
  private List<ConfigMap> manifests = List.of();
  private Optional<String> holder = Optional.empty();
  private boolean holderRunning;
  private Optional<SourceCheck.Result> check = Optional.empty();
  private Optional<RestoreSources.Resolution> resolvedAgain = Optional.empty();
  private Optional<String> recoveryRunning = Optional.empty();

  private RestorePass(EtcdRestore restore) {
    this.restore = restore;
    status.setPhase(OperationPhase.Pending);
  }

  /** A restore into a new cluster {@code orders} of {@code clusterSpec} (null: the defaults). */
  static RestorePass intoNewCluster(EtcdClusterSpec clusterSpec) {
    EtcdRestore restore = newRestore();
    restore.getSpec().setClusterSpec(clusterSpec);
    return new RestorePass(restore);
  }

  /** A restore of the existing cluster {@code orders} in place. */
  static RestorePass inPlace() {
    EtcdRestore restore = newRestore();
    InPlaceRestore confirm = new InPlaceRestore();
    confirm.setConfirmClusterName(CLUSTER);
    restore.getSpec().setInPlace(confirm);
    return new RestorePass(restore);
  }

  private static EtcdRestore newRestore() {
    EtcdRestore restore = new EtcdRestore();
    restore.setMetadata(new ObjectMetaBuilder().withName(NAME).withNamespace(NAMESPACE).withUid(UID).build());
    EtcdRestoreSpec spec = new EtcdRestoreSpec();
    spec.setSource(TestRestores.fromBackup("nightly"));
    spec.setClusterName(CLUSTER);
    restore.setSpec(spec);
    return restore;
  }

  RestorePass status(EtcdRestoreStatus status) {
    this.status = status;
    return this;
  }

  RestorePass cluster(EtcdCluster cluster) {
    this.cluster = Optional.of(cluster);
    this.holder = ClusterHold.holder(cluster);
    return this;
  }

  RestorePass records(MemberBootstrapRecords records) {
    this.records = records;
    return this;
  }

  RestorePass memberPods(List<Pod> pods) {
    this.memberPods = pods;
    return this;
  }

  RestorePass fetchPods(List<Pod> pods) {
    this.fetchPods = pods;
    return this;
  }

  RestorePass manifests(List<ConfigMap> manifests) {
    this.manifests = manifests;
    return this;
  }

  /** The cluster's hold annotation names {@code restore}, which still runs or not. */
  RestorePass heldBy(String restore, boolean running) {
    this.holder = Optional.of(restore);
    this.holderRunning = running;
    return this;
  }

  RestorePass checked(SourceCheck.Result result) {
    this.check = Optional.of(result);
    return this;
  }

  RestorePass resolvedAgain(RestoreSources.Resolution resolution) {
    this.resolvedAgain = Optional.of(resolution);
    return this;
  }

  /** An EtcdRecovery of the cluster has begun, and this restore is not its own. */
  RestorePass recoveryRunning(String recovery) {
    this.recoveryRunning = Optional.of(recovery);
    return this;
  }

  RestorePlanner.Observation observation() {
    return new RestorePlanner.Observation(restore, status, cluster, records, memberPods, fetchPods, manifests, holder,
        holderRunning, check, resolvedAgain, recoveryRunning, NOW);
  }

  EtcdRestore restore() {
    return restore;
  }

  // ---- what passes see ----

  /** The cluster {@code orders} as the operator created it, 3 members, not ready yet. */
  static EtcdCluster orders() {
    EtcdCluster cluster = TestClusters.cluster(CLUSTER, 3);
    cluster.getMetadata().setResourceVersion("41");
    return cluster;
  }

  /** The cluster with this restore's annotation on it: created by it. */
  static EtcdCluster createdByThisRestore() {
    EtcdCluster cluster = orders();
    cluster.getMetadata().setAnnotations(new HashMap<>(Map.of(Annotations.RESTORED_BY, UID)));
    return cluster;
  }

  /** The cluster held by {@code restore} (its annotation). */
  static EtcdCluster heldFor(EtcdCluster cluster, String restore) {
    Map<String, String> annotations = new HashMap<>(Optional.ofNullable(cluster.getMetadata().getAnnotations())
        .orElse(Map.of()));
    annotations.put(Annotations.RESTORE_IN_PROGRESS, restore);
    cluster.getMetadata().setAnnotations(annotations);
    return cluster;
  }

  /** The cluster's status: {@code ready} members ready, Available or not, Degraded with {@code degraded} if given. */
  static EtcdCluster withStatus(EtcdCluster cluster, int ready, boolean available, String degraded) {
    EtcdClusterStatus status = new EtcdClusterStatus();
    status.setReadyMembers(ready);
    List<Condition> conditions = new ArrayList<>();
    conditions.add(new ConditionBuilder().withType(ConditionTypes.AVAILABLE).withStatus(available ? "True" : "False")
        .build());
    if (degraded != null) {
      conditions.add(new ConditionBuilder().withType(ConditionTypes.DEGRADED).withStatus("True")
          .withMessage(degraded).build());
    }
    status.setConditions(conditions);
    cluster.setStatus(status);
    return cluster;
  }

  /** What the cluster has on record once created: every member a founding one. */
  static MemberBootstrapRecords foundingRecords(EtcdCluster cluster) {
    return TestClusters.foundingRecords(TestClusters.model(cluster));
  }

  /** The records this restore rewrites the cluster's to. */
  static MemberBootstrapRecords restoringRecords(EtcdCluster cluster) {
    return TestClusters.model(cluster, foundingRecords(cluster)).restoredInPlace(SOURCE, RESTORE_ID);
  }

  /** The member pods of the cluster as the operator creates them, running. */
  static List<Pod> memberPods(EtcdCluster cluster) {
    return TestClusters.readyPods(TestClusters.model(cluster, foundingRecords(cluster)));
  }

  /** StaticPod mode: the kubelet's mirror pod of a member's static pod on {@code node}. */
  static Pod mirrorPod(EtcdCluster cluster, String member, String node) {
    return new PodBuilder().withNewMetadata().withName(member + "-" + node).withNamespace(NAMESPACE)
        .addToAnnotations(Annotations.MIRROR, "mirror")
        .addToAnnotations(Annotations.CLUSTER_UID, cluster.getMetadata().getUid())
        .endMetadata().build();
  }

  /** The status once the check passed and an in-place restore started stopping the members. */
  static EtcdRestoreStatus stoppingInPlace(EtcdCluster cluster) {
    EtcdRestoreStatus status = checkedStatus();
    status.setPhase(OperationPhase.Running);
    status.setReason(RestorePlanner.STOPPING);
    status.setClusterUID(cluster.getMetadata().getUid());
    status.setInitialClusterToken(CLUSTER + "-" + RESTORE_ID);
    return status;
  }

  /** The status once a new cluster was created and is being watched. */
  static EtcdRestoreStatus restoringNewCluster(EtcdCluster cluster) {
    EtcdRestoreStatus status = checkedStatus();
    status.setPhase(OperationPhase.Running);
    status.setReason(RestorePlanner.RESTORING);
    status.setClusterUID(cluster.getMetadata().getUid());
    return status;
  }

  private static EtcdRestoreStatus checkedStatus() {
    EtcdRestoreStatus status = new EtcdRestoreStatus();
    status.setAttempts(1);
    status.setSource(LOCATION);
    status.setSha256(SHA256);
    status.setSizeBytes(4096L);
    status.setSnapshotRevision(42L);
    status.setRestoredRevision(SOURCE.restoredRevision(42L));
    return status;
  }

  /** A check that passed, of a snapshot taken from etcd {@code version}. */
  static SourceCheck.Result passed(String version) {
    return SourceCheck.Result.passed(SOURCE, VERIFIED, Optional.of(42L), Optional.ofNullable(version));
  }

  /** The claims a cluster's member uses, as its records name them. */
  static List<String> claims(EtcdCluster cluster, MemberBootstrapRecords records) {
    EtcdClusterModel model = TestClusters.model(cluster, records);
    return model.members().stream().map(model::claimName).toList();
  }
}
