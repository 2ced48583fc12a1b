package dev.quorum.backup;

import dev.quorum.model.CronSchedule;
import dev.quorum.api.v1alpha1.BackupRetention;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupSchedule;
import dev.quorum.api.v1alpha1.EtcdBackupScheduleSpec;
import dev.quorum.api.v1alpha1.EtcdBackupScheduleStatus;
import dev.quorum.api.v1alpha1.EtcdBackupSpec;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.config.QuorumConfig;
import dev.quorum.events.Events;
import dev.quorum.model.Annotations;
import dev.quorum.model.Labels;
import dev.quorum.objectstore.ObjectStore;
import dev.quorum.objectstore.ObjectStoreException;
import dev.quorum.operation.StatusUpdates;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.quarkiverse.operatorsdk.annotations.RBACVerbs;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Creates an EtcdBackup at each scheduled time ({@link SchedulePlanner}) and prunes the schedule's backups, objects
 * first ({@link RetentionPlanner}). Runs on the {@link RateClock}: the real time unless a test speeds it up.
 */
@ControllerConfiguration(name = EtcdBackupScheduleReconciler.NAME, fieldManager = QuorumConfig.FIELD_MANAGER)
@RBACRule(apiGroups = EtcdCluster.GROUP, resources = "etcdbackups",
    verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.DELETE})
// the S3 access key of the backups whose objects retention deletes
@RBACRule(apiGroups = "", resources = "secrets", verbs = {RBACVerbs.GET})
@RBACRule(apiGroups = "", resources = "events", verbs = {RBACVerbs.CREATE})
public class EtcdBackupScheduleReconciler implements Reconciler<EtcdBackupSchedule> {

  public static final String NAME = "etcdbackupschedule";
  private static final Logger LOG = Logger.getLogger(EtcdBackupScheduleReconciler.class);
  // UTC, so a time zone's repeated hour cannot give two runs one name
  private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmm")
      .withZone(ZoneOffset.UTC);
  private static final Duration RETRY_RETENTION = Duration.ofSeconds(30);

  private final KubernetesClient kube;
  private final Events events;
  private final RateClock clock;

  public EtcdBackupScheduleReconciler(KubernetesClient kube, Events events, RateClock clock) {
    this.kube = kube;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, EtcdBackupSchedule>> prepareEventSources(
      EventSourceContext<EtcdBackupSchedule> context) {
    // a backup finishing frees a Forbid schedule and may make retention due
    InformerEventSourceConfiguration<EtcdBackup> backups = InformerEventSourceConfiguration
        .from(EtcdBackup.class, EtcdBackupSchedule.class)
        .withLabelSelector(Labels.BACKUP_SCHEDULE)
        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(EtcdBackupSchedule.class))
        .build();
    return List.of(new InformerEventSource<>(backups, context));
  }

  @Override
  public UpdateControl<EtcdBackupSchedule> reconcile(EtcdBackupSchedule schedule,
      Context<EtcdBackupSchedule> context) {
    Instant now = clock.instant();
    EtcdBackupScheduleSpec spec = schedule.getSpec();
    EtcdBackupScheduleStatus status = schedule.getStatus() == null ? new EtcdBackupScheduleStatus()
        : Serialization.clone(schedule.getStatus());
    String uid = schedule.getMetadata().getUid();
    List<EtcdBackup> backups = context.getSecondaryResources(EtcdBackup.class).stream()
        .filter(b -> b.getMetadata().getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid())))
        .toList();
    List<String> active = new ArrayList<>(backups.stream().filter(b -> !finished(b))
        .map(b -> b.getMetadata().getName()).sorted().toList());

    Instant newestExisting = backups.stream().map(EtcdBackupScheduleReconciler::scheduledTime)
        .filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
    // a create whose status write was lost (a conflict with the user's edit, a crash) is still the last run
    if (newestExisting != null && (instant(status.getLastScheduleTime()) == null
        || newestExisting.isAfter(instant(status.getLastScheduleTime())))) {
      status.setLastScheduleTime(newestExisting.toString());
    }

    Duration wake = null;
    try {
      CronSchedule cron = CronSchedule.parse(spec.getSchedule(), spec.getTimeZone());
      SchedulePlanner.Plan plan = SchedulePlanner.plan(new SchedulePlanner.Input(cron, spec.isSuspend(),
          spec.getConcurrencyPolicy(), spec.getStartingDeadlineSeconds(), now, instant(status.getLastScheduleTime()),
          newestExisting, Instant.parse(schedule.getMetadata().getCreationTimestamp()), List.copyOf(active)));
      if (plan.action() == SchedulePlanner.Action.CREATE) {
        for (String name : plan.replace()) {
          kube.resources(EtcdBackup.class).inNamespace(namespace(schedule)).withName(name).delete();
          active.remove(name);
        }
        EtcdBackup backup = createIfAbsent(backupFor(schedule, plan.scheduledTime()));
        active.add(backup.getMetadata().getName());
        status.setLastScheduleTime(plan.scheduledTime().toString());
        events.normal(schedule, "Created", "created EtcdBackup " + backup.getMetadata().getName() + " for "
            + plan.scheduledTime());
      } else if (plan.action() == SchedulePlanner.Action.SKIP && !plan.message().equals(status.getMessage())) {
        events.warning(schedule, plan.reason(), plan.message());
      }
      status.setNextScheduleTime(plan.nextScheduleTime() == null ? null : plan.nextScheduleTime().toString());
      status.setReason(plan.reason());
      status.setMessage(plan.message());
      wake = plan.wakeAfter();
    } catch (CronSchedule.InvalidSchedule e) {
      if (!e.getMessage().equals(status.getMessage())) {
        LOG.warnf("schedule %s/%s: %s", namespace(schedule), schedule.getMetadata().getName(), e.getMessage());
        events.warning(schedule, e.reason(), e.getMessage());
      }
      status.setNextScheduleTime(null);
      status.setReason(e.reason());
      status.setMessage(e.getMessage());
    }

    String retentionProblem = retain(schedule, backups, now);
    if (retentionProblem != null) {
      status.setReason("RetentionFailed");
      status.setMessage(retentionProblem);
      wake = wake == null || wake.compareTo(RETRY_RETENTION) > 0 ? RETRY_RETENTION : wake;
    }
    status.setActive(active.stream().sorted().toList());
    backups.stream().filter(b -> phase(b) == OperationPhase.Succeeded)
        .map(b -> b.getStatus().getCompletionTime()).filter(Objects::nonNull).max(Comparator.naturalOrder())
        .ifPresent(status::setLastSuccessfulTime);
    status.setObservedGeneration(schedule.getMetadata().getGeneration());

    UpdateControl<EtcdBackupSchedule> control = StatusUpdates.patchIfChanged(schedule, status, context);
    // wake a little after the time, so the latest scheduled time is at or before the clock's now
    return wake == null ? control : control.rescheduleAfter(clock.toReal(wake).plusMillis(50));
  }

  /** Applies retention; returns what went wrong (retried later), null when all went. */
  private String retain(EtcdBackupSchedule schedule, List<EtcdBackup> backups, Instant now) {
    EtcdBackupScheduleSpec spec = schedule.getSpec();
    BackupRetention retention = spec.getRetention();
    RetentionPlanner.Policy policy;
    try {
      policy = new RetentionPlanner.Policy(retention == null ? null : retention.getKeepLast(),
          retention == null ? null : RetentionPlanner.parseMaxAge(retention.getMaxAge()),
          spec.getSuccessfulBackupsHistoryLimit(), spec.getFailedBackupsHistoryLimit());
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    List<RetentionPlanner.Backup> records = backups.stream()
        .map(b -> new RetentionPlanner.Backup(b.getMetadata().getName(), phase(b), orderTime(b))).toList();
    List<RetentionPlanner.Deletion> deletions = RetentionPlanner.plan(records, policy, now);
    if (deletions.isEmpty()) {
      return null;
    }
    Map<String, EtcdBackup> byName = backups.stream()
        .collect(Collectors.toMap(b -> b.getMetadata().getName(), Function.identity()));
    Set<String> deleted = deletions.stream().map(RetentionPlanner.Deletion::name).collect(Collectors.toSet());
    // an object another kept backup also points at (the same key) must stay
    Set<String> keptLocations = new HashSet<>();
    backups.stream().filter(b -> !deleted.contains(b.getMetadata().getName()))
        .forEach(b -> keptLocations.add(BackupKeys.location(b)));
    List<String> problems = new ArrayList<>();
    for (RetentionPlanner.Deletion deletion : deletions) {
      EtcdBackup backup = byName.get(deletion.name());
      String location = BackupKeys.location(backup);
      try {
        if (deletion.deleteObject() && !keptLocations.contains(location)) {
          try (ObjectStore store = ObjectStore.connect(EtcdBackupReconciler.s3Settings(kube, backup))) {
            store.delete(BackupKeys.key(backup));
          }
        }
        kube.resources(EtcdBackup.class).inNamespace(namespace(schedule)).withName(deletion.name()).delete();
        LOG.infof("schedule %s/%s: deleted EtcdBackup %s%s (%s)", namespace(schedule),
            schedule.getMetadata().getName(), deletion.name(), deletion.deleteObject() ? " and " + location : "",
            deletion.why());
      } catch (BackupJob.AttemptFailed e) {
        problems.add(deletion.name() + ": " + e.getMessage());
      } catch (ObjectStoreException | KubernetesClientException e) {
        problems.add(deletion.name() + ": " + e.getMessage());
      }
    }
    if (problems.isEmpty()) {
      events.normal(schedule, "Pruned", "deleted " + String.join(", ", deleted.stream().sorted().toList()));
      return null;
    }
    String message = "retention could not delete " + String.join("; ", problems);
    events.warning(schedule, "RetentionFailed", message);
    return message;
  }

  /** The EtcdBackup of one scheduled time: a name fixed by the time, so a retry after a crash finds it. */
  static EtcdBackup backupFor(EtcdBackupSchedule schedule, Instant time) {
    EtcdBackup backup = new EtcdBackup();
    backup.setMetadata(new ObjectMetaBuilder()
        .withName(backupName(schedule.getMetadata().getName(), time))
        .withNamespace(schedule.getMetadata().getNamespace())
        .withLabels(Map.of(Labels.BACKUP_SCHEDULE, schedule.getMetadata().getName()))
        .withAnnotations(Map.of(Annotations.SCHEDULED_TIME, time.toString()))
        .withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion(schedule.getApiVersion()).withKind(schedule.getKind())
            .withName(schedule.getMetadata().getName()).withUid(schedule.getMetadata().getUid())
            .withController(true).build())
        .build());
    EtcdBackupSpec spec = new EtcdBackupSpec();
    spec.setClusterName(schedule.getSpec().getBackupTemplate().getClusterName());
    spec.setDestination(Serialization.clone(schedule.getSpec().getBackupTemplate().getDestination()));
    spec.setCompression(schedule.getSpec().getBackupTemplate().getCompression());
    backup.setSpec(spec);
    return backup;
  }

  static String backupName(String schedule, Instant time) {
    return schedule + "-" + NAME_TIME.format(time);
  }

  private EtcdBackup createIfAbsent(EtcdBackup backup) {
    try {
      return kube.resources(EtcdBackup.class).inNamespace(backup.getMetadata().getNamespace()).resource(backup)
          .create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return backup;
      }
      throw e;
    }
  }

  static Instant scheduledTime(EtcdBackup backup) {
    Map<String, String> annotations = backup.getMetadata().getAnnotations();
    return annotations == null ? null : instant(annotations.get(Annotations.SCHEDULED_TIME));
  }

  /** The scheduled time, or when the backup was created if its annotation is gone. */
  private static Instant orderTime(EtcdBackup backup) {
    Instant scheduled = scheduledTime(backup);
    return scheduled != null ? scheduled : Instant.parse(backup.getMetadata().getCreationTimestamp());
  }

  private static Instant instant(String time) {
    try {
      return time == null ? null : Instant.parse(time);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private static OperationPhase phase(EtcdBackup backup) {
    return backup.getStatus() == null || backup.getStatus().getPhase() == null ? OperationPhase.Pending
        : backup.getStatus().getPhase();
  }

  private static boolean finished(EtcdBackup backup) {
    return phase(backup).finished();
  }

  private static String namespace(EtcdBackupSchedule schedule) {
    return schedule.getMetadata().getNamespace();
  }
}
