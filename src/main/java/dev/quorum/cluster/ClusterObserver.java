package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupSchedule;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.membership.VersionPath;
import dev.quorum.model.ClusterMembers;
import dev.quorum.model.ClusterNode;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.OperatorSettings;
import dev.quorum.model.RestoreSource;
import dev.quorum.model.Scheme;
import dev.quorum.restore.ClusterHold;
import dev.quorum.restore.RestoreSources;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Observes a cluster once per pass: the members on record, the model, the objects the informers hold, what etcd says,
 * the TLS Secrets, and every reason the spec cannot be carried out. Reads only, with one exception: a hold left by an
 * EtcdRestore that is gone is released, so a cluster is never held by nobody.
 */
final class ClusterObserver {


  private final OperatorSettings settings;
  private final ChildResources children;
  private final ClusterViewSource etcd;
  private final RestoreSources restoreSources;
  private final ClusterHold hold;

  ClusterObserver(OperatorSettings settings, ChildResources children, ClusterViewSource etcd,
      RestoreSources restoreSources, ClusterHold hold) {
    this.hold = hold;
    this.settings = settings;
    this.children = children;
    this.etcd = etcd;
    this.restoreSources = restoreSources;
  }

  ClusterPass observe(EtcdCluster cluster, Context<EtcdCluster> context) {
    List<ConfigMap> configMaps = List.copyOf(context.getSecondaryResources(ConfigMap.class));
    MemberBootstrapRecords records = ClusterMembers.records(cluster, configMaps);
    List<String> problems = new ArrayList<>(SpecValidator.problems(cluster.getSpec(), records));
    Optional<RestoreSource> foundingRestore = foundingRestore(cluster, records, problems);
    List<ClusterNode> nodes = nodes(cluster, problems);
    EtcdClusterModel specified = EtcdClusterModel.of(cluster, settings, records, foundingRestore, nodes);
    specified.placementProblem().ifPresent(problems::add);
    List<Pod> cachedPods = List.copyOf(context.getSecondaryResources(Pod.class));
    List<Pod> pods = memberPods(specified, cachedPods, configMaps);

    Optional<MemberTls.Pass> tls = Optional.empty();
    Optional<String> tlsProblem = Optional.empty();
    Optional<KubernetesClientException> unread = Optional.empty();
    if (specified.scheme() == Scheme.HTTPS && problems.isEmpty()) {
      try {
        tls = Optional.of(MemberTls.of(specified, records.members(), pods, name -> secretData(specified, name),
            Instant.now()));
      } catch (MemberTls.SecretProblem e) {
        tlsProblem = Optional.of(e.getMessage());
      } catch (KubernetesClientException e) {
        // the API server failing to hand out the Secrets is not a problem of theirs
        unread = Optional.of(e);
      }
    }
    // members run with the certificates as they are now: a pod that started with others is rolled. While cert-manager
    // has not written them, no member starts and the model has no revision
    EtcdClusterModel model = tls.filter(t -> t.pending().isEmpty())
        .map(t -> specified.withTlsRevision(t.revision())).orElse(specified);

    // etcd is asked before deciding, so a roll knows the leader and leaves it for last
    Optional<ClusterView> view = etcd.read(model, pods);
    VersionPath.refusal(model.declaredVersion(), runningVersions(cluster, view)).ifPresent(problems::add);
    boolean formed = view.isPresent() || (cluster.getStatus() != null && cluster.getStatus().getClusterID() != null);
    if (records.isEmpty() && (formed || !pods.isEmpty())) {
      problems.add("the members ConfigMap " + model.membersConfigMap() + " is missing, but the cluster has members:"
          + " the operator does not guess how they were bootstrapped; restore the ConfigMap (each member's"
          + " initial-cluster, initial-cluster-state and initial-cluster-token, as its pod's etcd flags show them)");
    }
    Optional<String> restoredBy = Optional.empty();
    if (unread.isEmpty()) {
      try {
        restoredBy = hold.runningHolder(cluster);
      } catch (KubernetesClientException e) {
        unread = Optional.of(e);
      }
    }
    List<EtcdRecovery> recoveries = List.copyOf(context.getSecondaryResources(EtcdRecovery.class));
    List<EtcdBackup> backups = List.of();
    List<EtcdRestore> restores = List.of();
    // only while quorum is lost or a recovery is asked for: what it may restore, and the restores it made
    if (unread.isEmpty() && (Conditions.quorumLost(cluster.getStatus())
        || recoveries.stream().anyMatch(EtcdRecovery::inProgress))) {
      try {
        backups = children.list(EtcdBackup.class, model.namespace());
        restores = children.list(EtcdRestore.class, model.namespace());
      } catch (KubernetesClientException e) {
        unread = Optional.of(e);
      }
    }
    return new ClusterPass(cluster, records, model, pods, cachedPods, configMaps,
        List.copyOf(context.getSecondaryResources(PersistentVolumeClaim.class)),
        List.copyOf(context.getSecondaryResources(EtcdBackupSchedule.class)), recoveries, backups, restores, view,
        formed, tls, tlsProblem, List.copyOf(problems), restoredBy, unread, Instant.now());
  }

  /** The snapshot founding members restore: resolved once, when they go on record; the records keep it from then. */
  private Optional<RestoreSource> foundingRestore(EtcdCluster cluster, MemberBootstrapRecords records,
      List<String> problems) {
    if (!records.isEmpty() || cluster.getSpec().getBootstrap() == null) {
      return Optional.empty();
    }
    RestoreSources.Resolution resolution = restoreSources.resolve(cluster.getMetadata().getNamespace(),
        cluster.getSpec().getBootstrap().getRestore());
    if (resolution.source().isEmpty()) {
      problems.add("spec.bootstrap.restore: " + resolution.message());
    }
    return resolution.source();
  }

  /** StaticPod mode's nodes, read on every pass (see {@link RecheckTiming}); none in StatefulSet mode. */
  private List<ClusterNode> nodes(EtcdCluster cluster, List<String> problems) {
    if (cluster.getSpec() == null || !cluster.getSpec().staticPods()) {
      return List.of();
    }
    try {
      return children.nodes();
    } catch (KubernetesClientException e) {
      problems.add("StaticPod mode places the members on the nodes, but the nodes cannot be read: " + e.getMessage()
          + (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN
              ? " (a namespace-scoped install of the chart needs readNodes: true)" : ""));
      return List.of();
    }
  }

  /**
   * The cluster's member pods: those it controls, or in StaticPod mode the mirror pods of its current manifests. Pods
   * of a deleted namesake may linger until the garbage collector (or a node agent) takes them: not this cluster's.
   */
  static List<Pod> memberPods(EtcdClusterModel model, List<Pod> pods, List<ConfigMap> configMaps) {
    return model.staticPods() ? StaticPodMembers.mirrorPods(model, pods, configMaps)
        : ClusterMembers.pods(model.resource(), pods);
  }

  private Optional<Map<String, String>> secretData(EtcdClusterModel model, String name) {
    // a Secret without data exists: its problem is the keys it lacks
    return children.secretData(model.namespace(), name);
  }

  /** The versions the members run, as etcd reports them; the last status's when none answers. */
  private static List<String> runningVersions(EtcdCluster cluster, Optional<ClusterView> etcd) {
    List<String> reported = etcd.map(s -> s.members().stream().filter(MemberView::reachable)
        .map(MemberView::version).filter(Objects::nonNull).toList()).orElse(List.of());
    if (!reported.isEmpty() || cluster.getStatus() == null || cluster.getStatus().getVersion() == null) {
      return reported;
    }
    return List.of(cluster.getStatus().getVersion());
  }
}
