package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupSchedule;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.model.Annotations;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.recovery.BackupRecovery;
import dev.quorum.recovery.QuorumLoss;
import dev.quorum.recovery.RecoveryPlanner;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one pass knows of a cluster, read once at its start ({@link ClusterObserver}): deciding reads only this, and
 * acting changes the cluster's objects, never this record.
 *
 * @param records the members on record; empty before the cluster is first created
 * @param model the cluster as its spec and records say it is to be, with the TLS revision its members are to run
 * @param pods the members' pods (a deleted namesake's are not)
 * @param cachedPods every pod of the cluster the informer holds (a restore's fetch pods too)
 * @param configMaps the cluster's ConfigMaps (its records, static pod manifests)
 * @param etcd what etcd says of the cluster; empty when no member answered
 * @param formed whether the cluster has ever formed; before that no member holds data worth keeping
 * @param tls a TLS cluster's certificates for this pass, when its Secrets were read and can be used
 * @param tlsProblem why the members' certificates cannot be used, if they cannot
 * @param problems why the spec cannot be carried out as it is; empty when it can
 * @param recoveries the EtcdRecoveries naming this cluster
 * @param backups the EtcdBackups of the cluster's namespace, while it has lost its quorum or a recovery of it is asked
 *     for (else none)
 * @param restores the EtcdRestores of the cluster's namespace, likewise
 * @param restoredBy the EtcdRestore that holds the members while it restores them in place, if one does
 * @param unread a call the API server failed while the cluster was read: reported as any failing call
 */
record ClusterPass(
    EtcdCluster cluster,
    MemberBootstrapRecords records,
    EtcdClusterModel model,
    List<Pod> pods,
    List<Pod> cachedPods,
    List<ConfigMap> configMaps,
    List<PersistentVolumeClaim> claims,
    List<EtcdBackupSchedule> backupSchedules,
    List<EtcdRecovery> recoveries,
    List<EtcdBackup> backups,
    List<EtcdRestore> restores,
    Optional<ClusterView> etcd,
    boolean formed,
    Optional<MemberTls.Pass> tls,
    Optional<String> tlsProblem,
    List<String> problems,
    Optional<String> restoredBy,
    Optional<KubernetesClientException> unread,
    Instant now) {

  boolean paused() {
    return cluster.getSpec().isPaused();
  }

  Optional<String> leader() {
    return etcd.flatMap(ClusterView::leaderName);
  }

  /** The members the operator reached that follow a leader, when any member answered it. */
  Optional<Set<String>> serving() {
    return etcd.map(view -> view.members().stream().filter(MemberView::healthy).filter(MemberView::started)
        .map(MemberView::name).collect(Collectors.toSet()));
  }

  Map<String, String> annotations() {
    Map<String, String> annotations = cluster.getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  /** A version change is under way: a member failing on the new version is the upgrade's to roll back. */
  boolean upgrading() {
    return annotations().containsKey(Annotations.UPGRADE_FROM);
  }

  /** What the status is made from: what this pass saw and what it did. */
  Observation observation(PassOutcome outcome) {
    return new Observation(model, records, pods, etcd, problems, outcome.error(), outcome.waiting(), now, restoredBy,
        outcome.membershipStep(), tlsProblem, tls.flatMap(MemberTls.Pass::certificates), outcome.stepRefused(),
        quorumLoss(), outcome.recovering(), outcome.care(), outcome.volumesCannotGrow());
  }

  /** When the cluster's Available condition turned to QuorumLost, while it says so. */
  Optional<Instant> quorumLostSince() {
    return Optional.ofNullable(cluster.getStatus())
        .flatMap(status -> status.condition(ConditionTypes.AVAILABLE))
        .filter(c -> Reasons.QUORUM_LOST.equals(c.getReason()) && c.getLastTransitionTime() != null)
        .flatMap(c -> {
          try {
            return Optional.of(Instant.parse(c.getLastTransitionTime()));
          } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty(); // written by another hand: no deadline is counted from it
          }
        });
  }

  /** What the recovery planner decides on. */
  RecoveryPlanner.Observation recoveryObservation() {
    // in StaticPod mode the members as they run (a kubelet may not have started a new manifest yet) and their manifests
    return model.staticPods()
        ? new RecoveryPlanner.Observation(model, records, StaticPodMembers.runningMirrorPods(model, cachedPods),
            StaticPodMembers.withManifest(model, configMaps), claims, etcd, quorumLoss(), recoveries, backups,
            restores, restoredBy, now)
        : new RecoveryPlanner.Observation(model, records, pods, Set.of(), claims, etcd, quorumLoss(), recoveries,
            backups, restores, restoredBy, now);
  }

  /** How the voters stand, once the cluster has had a quorum: whether it lost it, and whether for good. */
  Optional<QuorumLoss.Assessment> quorumLoss() {
    return QuorumLoss.assess(model, records, pods, claims, etcd, Conditions.hadQuorum(cluster.getStatus()))
        .map(loss -> loss.withNewestBackup(BackupRecovery.newest(model.name(), backups, now)));
  }
}
