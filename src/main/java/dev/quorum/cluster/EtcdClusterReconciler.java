package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdBackupSchedule;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.config.QuorumConfig;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.membership.MembershipPlanner;
import dev.quorum.membership.UpgradeGuard;
import dev.quorum.membership.VersionPath;
import dev.quorum.model.Annotations;
import dev.quorum.model.ClusterMembers;
import dev.quorum.model.ClusterNode;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.OperatorSettings;
import dev.quorum.model.PodReadiness;
import dev.quorum.model.RestoreSource;
import dev.quorum.model.Scheme;
import dev.quorum.operation.StatusUpdates;
import dev.quorum.restore.RestoreSources;
import dev.quorum.specs.BackupScheduleBuilder;
import dev.quorum.specs.CertManagerCertificateBuilder;
import dev.quorum.specs.ClientServiceBuilder;
import dev.quorum.specs.MembersConfigMapBuilder;
import dev.quorum.specs.NodeAgentBuilder;
import dev.quorum.specs.PeerServiceBuilder;
import dev.quorum.specs.PodDisruptionBudgetBuilder;
import dev.quorum.specs.RestoreContainers;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.quarkiverse.operatorsdk.annotations.RBACVerbs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Keeps an EtcdCluster's Services, members ConfigMap, member claims and pods, and PodDisruptionBudget as its
 * spec says, and reports what etcd and Kubernetes show in its status. Deletion is left to the garbage
 * collector through owner references, so there is no finalizer.
 */
@ControllerConfiguration(name = EtcdClusterReconciler.NAME, fieldManager = QuorumConfig.FIELD_MANAGER)
// Services, the budget and the members ConfigMap are server-side applied (patch; create for the first apply).
// TLS: the CA, members' and client certificate Secrets are read and applied (the CA's key never leaves them).
@RBACRule(apiGroups = "", resources = "secrets", verbs = {RBACVerbs.GET, RBACVerbs.CREATE, RBACVerbs.PATCH})
// certificates: CertManager: the members' Certificate (applied; cert-manager writes the Secret)
@RBACRule(apiGroups = "cert-manager.io", resources = "certificates", verbs = {RBACVerbs.GET, RBACVerbs.CREATE, RBACVerbs.PATCH})
@RBACRule(apiGroups = "", resources = "services", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH})
// ConfigMaps: the members' records and, in StaticPod mode, each member's manifest (deleted when its member leaves).
@RBACRule(apiGroups = "", resources = "configmaps", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH, RBACVerbs.DELETE})
// StaticPod mode: the nodes a selector picks run the members; the node agent is a DaemonSet with its own account,
// which may read ConfigMaps in the cluster's namespace (granted by a Role the operator holds the rights of).
@RBACRule(apiGroups = "", resources = "nodes", verbs = RBACVerbs.LIST)
@RBACRule(apiGroups = "", resources = "serviceaccounts", verbs = {RBACVerbs.CREATE, RBACVerbs.PATCH})
@RBACRule(apiGroups = "rbac.authorization.k8s.io", resources = {"roles", "rolebindings"}, verbs = {RBACVerbs.CREATE, RBACVerbs.PATCH})
@RBACRule(apiGroups = "apps", resources = "daemonsets", verbs = {RBACVerbs.CREATE, RBACVerbs.PATCH})
@RBACRule(apiGroups = "policy", resources = "poddisruptionbudgets", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH})
// Member pods are created and, to roll, replace or retire one, deleted; claims are created, and deleted only when
// their member left the cluster by a scale-down (otherwise by the GC, or kept).
// Member pods are labelled as voters (patch) while etcd lists them so: the client Service routes to those only.
@RBACRule(apiGroups = "", resources = "pods", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH, RBACVerbs.DELETE})
// A ready member is restarted through the Eviction API, so the disruption budget arbitrates against drains.
@RBACRule(apiGroups = "", resources = "pods/eviction", verbs = {RBACVerbs.CREATE})
@RBACRule(apiGroups = "", resources = "persistentvolumeclaims", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.DELETE})
@RBACRule(apiGroups = "", resources = "events", verbs = {RBACVerbs.CREATE})
// The EtcdBackupSchedule of an inline spec.backup, deleted when spec.backup goes.
// A cluster bootstrapped from an EtcdBackup reads where its object is; one held by an EtcdRestore checks it still runs.
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdbackups", verbs = {RBACVerbs.GET})
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdrestores", verbs = {RBACVerbs.GET})
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdbackupschedules", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.PATCH, RBACVerbs.DELETE})
public class EtcdClusterReconciler implements Reconciler<EtcdCluster> {

  public static final String NAME = "etcdcluster";
  private static final Logger LOG = Logger.getLogger(EtcdClusterReconciler.class);
  private static final Duration RETRY_AFTER_ERROR = Duration.ofSeconds(10);
  /** While members are being created or rolled, look again soon even if no event arrives. */
  private static final Duration RECHECK_WHILE_CHANGING = Duration.ofSeconds(2);
  /**
   * While a membership step is under way, sooner: etcd's own changes (a learner added, caught up, promoted) raise no
   * Kubernetes event, and each member added or removed takes several steps.
   */
  private static final Duration RECHECK_WHILE_MEMBERSHIP_CHANGES = Duration.ofMillis(500);
  /**
   * StaticPod mode reads the nodes on every pass rather than watching them all (every node's status changes, for the
   * sake of a few clusters): a node labelled in or out is seen within this.
   */
  private static final Duration RECHECK_NODES = Duration.ofSeconds(10);
  private static final int HTTP_FORBIDDEN = 403;
  private static final int HTTP_NOT_FOUND = 404;

  private final QuorumConfig config;
  private final OperatorSettings settings;
  private final ChildResources children;
  private final ClusterViewSource memberStatus;
  private final ClusterEvents events;
  private final RestoreSources restoreSources;
  private final MembershipSteps membershipSteps;

  public EtcdClusterReconciler(QuorumConfig config, ChildResources children, ClusterViewSource memberStatus,
      ClusterEvents events, RestoreSources restoreSources) {
    this.restoreSources = restoreSources;
    this.membershipSteps = new MembershipSteps(children, memberStatus, events, config.membership().haltAfterStep());
    this.config = config;
    this.settings = OperatorSettings.from(config);
    this.children = children;
    this.memberStatus = memberStatus;
    this.events = events;
  }

  @Override
  public List<EventSource<?, EtcdCluster>> prepareEventSources(EventSourceContext<EtcdCluster> context) {
    return ChildEventSources.all(context);
  }

  @Override
  public UpdateControl<EtcdCluster> reconcile(EtcdCluster cluster, Context<EtcdCluster> context) {
    MemberBootstrapRecords records = ClusterMembers.records(cluster, context.getSecondaryResources(ConfigMap.class));
    List<String> problems = new ArrayList<>(SpecValidator.problems(cluster.getSpec(), records));
    Optional<RestoreSource> foundingRestore = Optional.empty();
    if (records.isEmpty() && cluster.getSpec().getBootstrap() != null) {
      // resolved once, when the founding members go on record; the records keep it from then on
      RestoreSources.Resolution resolution = restoreSources.resolve(cluster.getMetadata().getNamespace(),
          cluster.getSpec().getBootstrap().getRestore());
      foundingRestore = resolution.source();
      if (foundingRestore.isEmpty()) {
        problems.add("spec.bootstrap.restore: " + resolution.message());
      }
    }
    boolean staticPods = cluster.getSpec() != null && cluster.getSpec().staticPods();
    List<ClusterNode> nodes = List.of();
    if (staticPods) {
      try {
        nodes = children.nodes();
      } catch (KubernetesClientException e) {
        problems.add("StaticPod mode places the members on the nodes, but the nodes cannot be read: " + e.getMessage()
            + (e.getCode() == HTTP_FORBIDDEN ? " (a namespace-scoped install of the chart needs readNodes: true)" : ""));
      }
    }
    EtcdClusterModel specified = EtcdClusterModel.of(cluster, settings, records, foundingRestore, nodes);
    specified.placementProblem().ifPresent(problems::add);
    List<ConfigMap> configMaps = List.copyOf(context.getSecondaryResources(ConfigMap.class));
    List<Pod> cachedPods = List.copyOf(context.getSecondaryResources(Pod.class));
    List<Pod> pods = memberPods(specified, cachedPods, configMaps);
    Optional<MemberTls.Pass> tls = Optional.empty();
    Optional<String> tlsProblem = Optional.empty();
    // the API server failing to hand out the Secrets is not a problem of theirs: reported as any failing call
    Optional<KubernetesClientException> tlsUnread = Optional.empty();
    if (specified.scheme() == Scheme.HTTPS && problems.isEmpty()) {
      try {
        tls = Optional.of(MemberTls.of(specified, records.members(), pods, name -> secretData(specified, name),
            Instant.now()));
      } catch (MemberTls.SecretProblem e) {
        tlsProblem = Optional.of(e.getMessage());
      } catch (KubernetesClientException e) {
        tlsUnread = Optional.of(e);
      }
    }
    // members run with the certificates as they are now: a pod that started with others is rolled. While cert-manager
    // has not written them, no member starts and the model has no revision
    EtcdClusterModel model = tls.filter(t -> t.pending().isEmpty())
        .map(t -> specified.withTlsRevision(t.revision())).orElse(specified);
    List<PersistentVolumeClaim> claims = new ArrayList<>(context.getSecondaryResources(PersistentVolumeClaim.class));
    // etcd is asked before deciding, so a roll knows the leader and leaves it for last
    Optional<ClusterView> etcd = memberStatus.read(model, pods);
    VersionPath.refusal(model.declaredVersion(), runningVersions(cluster, etcd)).ifPresent(problems::add);
    boolean formed = etcd.isPresent() || (cluster.getStatus() != null && cluster.getStatus().getClusterID() != null);
    if (records.isEmpty() && (formed || !pods.isEmpty())) {
      problems.add("the members ConfigMap " + model.membersConfigMap() + " is missing, but the cluster has members:"
          + " the operator does not guess how they were bootstrapped; restore the ConfigMap (each member's"
          + " initial-cluster, initial-cluster-state and initial-cluster-token, as its pod's etcd flags show them)");
    }
    Optional<String> error = Optional.empty();
    Outcome outcome = Outcome.NOTHING;
    Optional<String> restoredBy = Optional.empty();
    try {
      if (tlsUnread.isPresent()) {
        throw tlsUnread.get();
      }
      restoredBy = restoreInProgress(cluster);
      if (!problems.isEmpty()) {
        if (events.invalidSpec(cluster, String.join("; ", problems))) {
          LOG.warnf("%s has an invalid spec, nothing is created: %s", model.key(), problems);
        }
      } else if (tlsProblem.isPresent()) {
        if (events.invalidTlsSecret(cluster, tlsProblem.get())) {
          LOG.warnf("%s: %s", model.key(), tlsProblem.get());
        }
        if (!cluster.getSpec().isPaused()) {
          // a bad Secret (a leftover, say) is cert-manager's to replace: the Certificate stays as it should be
          keepCertificate(model);
        }
      } else if (restoredBy.isPresent()) {
        LOG.debugf("%s: EtcdRestore %s holds the members", model.key(), restoredBy.get());
      } else if (!cluster.getSpec().isPaused()) {
        outcome = converge(model, records, pods, claims, configMaps, cachedPods, etcd, formed, tls);
        forgetRestoreOnceInstalled(model, records, pods, cachedPods);
        keepBackupSchedule(model, context);
      }
    } catch (ForeignObjectException e) {
      LOG.warnf("reconciling %s: %s", model.key(), e.getMessage());
      error = Optional.of(e.getMessage());
    } catch (RuntimeException e) {
      if (e instanceof KubernetesClientException refused && refused.getCode() == HTTP_FORBIDDEN) {
        // the API server's own words name the verb, resource and namespace; nothing more is needed to fix it
        String denied = "permission denied: " + (refused.getStatus() != null && refused.getStatus().getMessage() != null
            ? refused.getStatus().getMessage() : refused.getMessage())
            + "; the operator's RBAC must grant it (the chart's roles list every rule the operator needs)";
        if (events.permissionDenied(cluster, denied)) {
          LOG.warnf("reconciling %s: %s", model.key(), denied);
        }
        error = Optional.of(denied);
      } else {
        // one broken cluster must not stop the others: report it and try again soon
        LOG.warnf(e, "reconciling %s failed", model.key());
        error = Optional.of("applying the desired objects failed: " + e.getMessage());
      }
    }
    try {
      Observation observation = new Observation(model, records, pods, etcd, problems, error, outcome.waiting(),
          Instant.now(), restoredBy, outcome.membershipStep(), tlsProblem, tls.flatMap(MemberTls.Pass::certificates),
          outcome.stepRefused());
      EtcdClusterStatus status = StatusAggregator.aggregate(observation);
      return StatusUpdates.patchIfChanged(cluster, status, context).rescheduleAfter(nextCheck(observation, outcome));
    } catch (RuntimeException e) {
      LOG.errorf(e, "computing the status of %s failed", model.key());
      return UpdateControl.<EtcdCluster>noUpdate().rescheduleAfter(RETRY_AFTER_ERROR);
    }
  }

  /**
   * What one pass did: whether it changed any member, why a change waits, if one does, and the membership step it
   * took (or that waits).
   */
  private record Outcome(boolean acted, Optional<String> waiting, Optional<MembershipPlanner.Step> membershipStep,
      Optional<String> stepRefused) {
    static final Outcome NOTHING = new Outcome(false, Optional.empty(), Optional.empty(), Optional.empty());
  }

  /**
   * The cluster's member pods: those it controls, or in StaticPod mode the mirror pods of its manifests. Pods of a
   * deleted namesake may linger until the garbage collector (or a node agent) takes them: not this cluster's members.
   */
  private static List<Pod> memberPods(EtcdClusterModel model, List<Pod> pods, List<ConfigMap> configMaps) {
    return model.staticPods() ? StaticPodMembers.mirrorPods(model, pods, configMaps)
        : ClusterMembers.pods(model.resource(), pods);
  }

  private Outcome converge(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      List<PersistentVolumeClaim> claims, List<ConfigMap> configMaps, List<Pod> cachedPods,
      Optional<ClusterView> etcd, boolean formed, Optional<MemberTls.Pass> tls) {
    Optional<String> leader = etcd.flatMap(ClusterView::leaderName);
    // clients reach voting members only, so the labels the client Service selects by are right before it is applied
    if (!model.staticPods()) {
      etcd.map(reading -> VoterLabels.changes(pods, reading)).orElse(List.of())
          .forEach(change -> children.label(change.pod(), Labels.VOTER, change.value()));
    }
    // the peer Service first: members resolve each other through it as soon as they start
    children.apply(List.of(PeerServiceBuilder.build(model), ClientServiceBuilder.build(model)));
    // before any member: its pod mounts the certificates
    if (tls.isPresent()) {
      children.apply(tls.get().secrets());
      keepCertificate(model);
      if (tls.get().pending().isPresent()) {
        return new Outcome(false, tls.get().pending(), Optional.empty(), Optional.empty());
      }
    }
    if (records.isEmpty()) {
      // founding members are on record before any of their pods exists; never rewritten afterwards
      children.apply(List.of(MembersConfigMapBuilder.build(model)));
    }
    if (model.staticPods()) {
      children.apply(NodeAgentBuilder.build(model, StaticPodMembers.manifests(model, configMaps)));
    }
    // membership first (a member that lost its data or broke, then a size change); a member's pod waits until the
    // membership expects it. A member failing on a new version is the upgrade's to roll back, not one to replace.
    boolean upgrading = model.resource().getMetadata().getAnnotations() != null
        && model.resource().getMetadata().getAnnotations().containsKey(Annotations.UPGRADE_FROM);
    // a static pod's data is on its node, out of the operator's reach: a broken one is reported, not discarded
    Optional<String> rotation = tls.flatMap(MemberTls.Pass::certificates).flatMap(TlsCertificates::rotation);
    MembershipPlanner.Plan membership = MembershipPlanner.holdingJoins(MembershipPlanner.plan(model, records, pods,
        claims, etcd, upgrading || model.staticPods()
            ? MembershipPlanner.BrokenAfter.NEVER
            : new MembershipPlanner.BrokenAfter(config.membership().replaceBrokenAfter(), Instant.now())), rotation);
    Optional<String> membershipWaits = membership.step()
        .flatMap(step -> membershipSteps.apply(model, records, pods, claims, etcd, step));
    if (membership.step().isEmpty()) {
      membershipSteps.settled(model);
    }
    MemberRollout.Plan plan = MemberRollout.plan(model, pods, claims, leader, formed);
    List<PersistentVolumeClaim> createClaims = plan.createClaims().stream()
        .filter(c -> !membership.holdBack().contains(c.getMetadata().getLabels().get(Labels.MEMBER))).toList();
    List<Pod> createPods = plan.createPods().stream()
        .filter(p -> !membership.holdBack().contains(StaticPodMembers.memberOf(p))).toList();
    children.create(createClaims);
    Optional<String> starting = Optional.empty();
    if (model.staticPods()) {
      StaticPodMembers.Start start = StaticPodMembers.toStart(model, createPods, configMaps, cachedPods);
      children.create(start.fetchPods());
      children.apply(start.manifests());
      createPods = start.manifests().isEmpty() && start.fetchPods().isEmpty() ? List.of() : createPods;
      starting = start.waiting().isEmpty() ? Optional.empty() : Optional.of(String.join("; ", start.waiting()));
    } else {
      children.create(createPods);
    }
    // a roll restarts members only while the membership is settled: one change to the members at a time
    guardUpgrade(model, pods);
    boolean replaced = !membership.busy()
        && plan.replace().map(r -> replace(model, claims, etcd, formed, r)).orElse(false);
    if (!model.staticPods()) {
      // a static pod is not evicted (a drain leaves it be), so no budget could guard it
      children.apply(List.of(PodDisruptionBudgetBuilder.build(model)));
    }
    String waits = String.join("; ", Stream.of(membershipWaits, plan.waiting(), starting, rotation)
        .flatMap(Optional::stream).toList());
    Optional<String> waiting = waits.isEmpty() ? Optional.empty() : Optional.of(waits);
    boolean acted = replaced || membership.busy() || !createClaims.isEmpty() || !createPods.isEmpty();
    return new Outcome(acted, waiting, membership.step(),
        membershipSteps.repeatedRefusal(model).map(RepeatedRefusals.Refusal::message));
  }

  /** certificates: CertManager: the members' Certificate, which cert-manager turns into their Secret. */
  private void keepCertificate(EtcdClusterModel model) {
    if (!model.certManagerCertificates()) {
      return;
    }
    try {
      children.apply(CertManagerCertificateBuilder.CERTIFICATES, CertManagerCertificateBuilder.build(model));
    } catch (KubernetesClientException e) {
      if (e.getCode() == HTTP_NOT_FOUND) {
        throw new ForeignObjectException("certificates: CertManager needs cert-manager's Certificate resource"
            + " (certificates.cert-manager.io), which this Kubernetes cluster does not serve: install cert-manager,"
            + " or use certificates: Operator or Secret");
      }
      throw e;
    }
  }

  private Optional<Map<String, String>> secretData(EtcdClusterModel model, String name) {
    // a Secret without data exists: its problem is the keys it lacks
    return Optional.ofNullable(children.live(Secret.class, model.namespace(), name))
        .map(secret -> secret.getData() == null ? Map.of() : secret.getData());
  }

  /**
   * The EtcdRestore restoring this cluster in place, if one is (its annotation on the cluster). An annotation left by
   * a restore that was deleted or has finished is removed, so a cluster is never held by nobody.
   */
  private Optional<String> restoreInProgress(EtcdCluster cluster) {
    Map<String, String> annotations = cluster.getMetadata().getAnnotations();
    String restore = annotations == null ? null : annotations.get(Annotations.RESTORE_IN_PROGRESS);
    if (restore == null) {
      return Optional.empty();
    }
    if (children.restoreRunning(cluster.getMetadata().getNamespace(), restore)) {
      return Optional.of(restore);
    }
    LOG.infof("%s/%s: EtcdRestore %s is gone or finished; the cluster is no longer held for it",
        cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), restore);
    children.removeAnnotation(cluster, Annotations.RESTORE_IN_PROGRESS);
    return Optional.empty();
  }

  /**
   * Once every member's pod has installed the restored data and is ready, the snapshot leaves the records: pods
   * created later start from their data like any member's, without restore containers (which are not part of the
   * shape, so running pods are not rolled for it). etcd's member list cannot tell: a restored membership names
   * every member before any of them has run.
   */
  private void forgetRestoreOnceInstalled(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      List<Pod> cachedPods) {
    if (!records.restoring() || !records.unreadable().isEmpty()) {
      return;
    }
    boolean allInstalled = PodReadiness.everyMemberReady(model.members(), pods,
        (member, p) -> RestoreContainers.installed(p, model.claimName(member)));
    if (allInstalled) {
      children.apply(List.of(MembersConfigMapBuilder.build(model, records.restored())));
      if (model.staticPods()) {
        StaticPodMembers.fetchPods(model, cachedPods).forEach(children::delete);
      }
      LOG.infof("%s: every member runs on its restored data; the snapshot leaves the members' records", model.key());
    }
  }

  /**
   * Keeps the EtcdBackupSchedule of the inline {@code spec.backup} as declared, and deletes it when the declaration
   * goes. A schedule of that name the cluster does not own (a user's) is left alone and reported.
   */
  private void keepBackupSchedule(EtcdClusterModel model, Context<EtcdCluster> context) {
    Optional<EtcdBackupSchedule> owned = context.getSecondaryResources(EtcdBackupSchedule.class).stream()
        .filter(s -> model.backupSchedule().equals(s.getMetadata().getName()))
        .filter(s -> ClusterMembers.controlledBy(s, model.resource()))
        .findFirst();
    Optional<EtcdBackupSchedule> desired = BackupScheduleBuilder.build(model);
    if (desired.isEmpty()) {
      owned.ifPresent(children::delete);
      return;
    }
    if (owned.isEmpty()) {
      EtcdBackupSchedule existing = children.live(EtcdBackupSchedule.class, model.namespace(), model.backupSchedule());
      if (existing != null && !ClusterMembers.controlledBy(existing, model.resource())) {
        throw new ForeignObjectException("spec.backup needs the EtcdBackupSchedule " + model.backupSchedule()
            + ", but one of that name exists that this cluster does not own: rename or delete it");
      }
    }
    children.apply(List.of(desired.get()));
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

  /**
   * Watches a version change the roll carries out: notes the version the members upgrade from when it starts, and
   * clears it once every member runs the new one and is ready. A member that does not become ready on the new version
   * within the deadline rolls the upgrade back: the model then gives the members their previous version again, until
   * the spec names another. The notes are annotations on the EtcdCluster, so an operator restarted halfway knows.
   */
  private void guardUpgrade(EtcdClusterModel model, List<Pod> pods) {
    EtcdCluster cluster = model.resource();
    Map<String, String> annotations = cluster.getMetadata().getAnnotations() == null ? Map.of()
        : cluster.getMetadata().getAnnotations();
    String from = annotations.get(Annotations.UPGRADE_FROM);
    if (annotations.containsKey(Annotations.UPGRADE_ROLLED_BACK)) {
      if (model.rolledBackUpgrade().isEmpty()) {
        // the spec moved on from the version that failed: a new attempt starts from what runs now
        children.removeAnnotation(cluster, Annotations.UPGRADE_ROLLED_BACK);
        children.removeAnnotation(cluster, Annotations.UPGRADE_FROM);
      }
      return;
    }
    if (from == null) {
      Optional<String> upgradingFrom = UpgradeGuard.upgradingFrom(model, pods);
      if (upgradingFrom.isPresent()) {
        children.annotate(cluster, Annotations.UPGRADE_FROM, upgradingFrom.get());
        events.normal(cluster, Reasons.UPGRADE_STARTED, "upgrading the members from etcd " + upgradingFrom.get()
            + " to " + model.version() + ", one at a time, the leader last");
      }
      return;
    }
    if (UpgradeGuard.complete(model, pods)) {
      children.removeAnnotation(cluster, Annotations.UPGRADE_FROM);
      events.normal(cluster, Reasons.UPGRADE_COMPLETED, "every member runs etcd " + model.version());
      return;
    }
    Duration deadline = config.membership().upgradeHealthTimeout();
    UpgradeGuard.failed(model, pods, deadline, Instant.now()).ifPresent(failure -> {
      String why = String.format("%s did not become ready on etcd %s within %ds (%s); the members go back to %s",
          failure.member(), model.version(), deadline.toSeconds(), failure.reason(), from);
      LOG.warnf("%s: upgrade rolled back: %s", model.key(), why);
      children.annotate(cluster, Annotations.UPGRADE_ROLLED_BACK, model.declaredVersion() + ": " + why);
      events.warning(cluster, Reasons.UPGRADE_ROLLED_BACK, why);
    });
  }

  /**
   * Replaces a member's pod only if a plan made from the API server's current pods picks the same one; a ready
   * member is evicted, so the disruption budget may still refuse (a drain got there first). The leader first hands
   * leadership to a ready member, so its restart costs no election.
   */
  private boolean replace(EtcdClusterModel model, List<PersistentVolumeClaim> claims, Optional<ClusterView> etcd,
      boolean formed, MemberRollout.Replacement replacement) {
    Optional<String> leader = etcd.flatMap(ClusterView::leaderName);
    List<Pod> live = memberPods(model, children.livePods(model.namespace(), Labels.CLUSTER,
        model.name()), model.staticPods() ? children.liveConfigMaps(model.namespace(), model.name()) : List.of());
    Optional<MemberRollout.Replacement> confirmed = MemberRollout.plan(model, live, claims, leader, formed).replace()
        .filter(r -> Objects.equals(r.pod().getMetadata().getUid(), replacement.pod().getMetadata().getUid()));
    if (confirmed.isEmpty()) {
      return false; // the cache was behind; the next reconcile decides again
    }
    MemberRollout.Replacement step = confirmed.get();
    String member = step.pod().getMetadata().getName();
    if (step.evict() && leader.filter(member::equals).isPresent() && moveLeadershipFrom(model, live, etcd.get(), member)) {
      return true; // restarted on the next pass, as a follower
    }
    if (model.staticPods()) {
      // the kubelet restarts a static pod when its manifest changes
      StaticPodMembers.restarted(model, step.pod()).ifPresent(manifest -> children.apply(List.of(manifest)));
    } else if (step.evict() && !children.evict(step.pod())) {
      LOG.infof("%s: the disruption budget refused evicting %s for now", model.key(), step.pod().getMetadata().getName());
      return false;
    }
    if (!step.evict() && !model.staticPods()) {
      children.delete(step.pod());
    }
    LOG.infof("%s: %s", model.key(), step.message());
    events.normal(model.resource(), step.reason(), step.message());
    return true;
  }

  /** Hands leadership to another ready voter before the leader restarts; false when none can take it. */
  private boolean moveLeadershipFrom(EtcdClusterModel model, List<Pod> pods, ClusterView etcd, String leader) {
    Optional<MemberView> successor = etcd.members().stream()
        .filter(m -> m.started() && !m.learner() && m.healthy() && !leader.equals(m.name()))
        .filter(m -> pods.stream().anyMatch(p -> m.name().equals(p.getMetadata().getName()) && PodReadiness.ready(p)))
        .findFirst();
    if (successor.isEmpty()) {
      return false;
    }
    try {
      membershipSteps.moveLeader(model, pods, Optional.of(etcd), leader, successor.get().name(), successor.get().id(),
          leader + " restarts as a follower");
      return true;
    } catch (RuntimeException e) {
      LOG.infof("%s: moving leadership from %s failed, it restarts as the leader: %s", model.key(), leader,
          e.getMessage());
      return false;
    }
  }

  /** An object the cluster needs exists under the same name but belongs to someone else. */
  private static final class ForeignObjectException extends RuntimeException {
    ForeignObjectException(String message) {
      super(message);
    }
  }

  /** Soon while members come and go; otherwise informer events wake the reconciler, and the refresh is a backstop. */
  private Duration nextCheck(Observation observation, Outcome outcome) {
    if (observation.reconcileError().isPresent()) {
      return RETRY_AFTER_ERROR;
    }
    // one of its members starting and catching up as a learner raises no Kubernetes event either: its promotion is
    // due as soon as it has (a learner someone else added is left to its own pace)
    Set<String> peerUrls = observation.model().members().stream().map(Member::peerUrl).collect(Collectors.toSet());
    boolean learnerCatchingUp = observation.etcd().filter(s -> s.members().stream()
        .anyMatch(m -> m.learner() && m.peerURLs().stream().anyMatch(peerUrls::contains))).isPresent();
    if (learnerCatchingUp
        || outcome.membershipStep().filter(step -> !(step instanceof MembershipPlanner.Step.Wait)).isPresent()) {
      return RECHECK_WHILE_MEMBERSHIP_CHANGES;
    }
    boolean changing = outcome.acted() || (observation.specProblems().isEmpty() && !observation.missingMembers().isEmpty());
    if (changing) {
      return RECHECK_WHILE_CHANGING;
    }
    boolean staticPods = observation.model().staticPods();
    return staticPods && RECHECK_NODES.compareTo(config.statusRefreshInterval()) < 0 ? RECHECK_NODES
        : config.statusRefreshInterval();
  }
}
