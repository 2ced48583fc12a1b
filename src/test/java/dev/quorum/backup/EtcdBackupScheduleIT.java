package dev.quorum.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.BackupDestination;
import dev.quorum.api.v1alpha1.BackupRetention;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupSchedule;
import dev.quorum.api.v1alpha1.EtcdBackupScheduleStatus;
import dev.quorum.api.v1alpha1.EtcdBackupTemplate;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.S3CredentialsSecret;
import dev.quorum.api.v1alpha1.S3Destination;
import dev.quorum.demo.Demo;
import dev.quorum.model.Labels;
import dev.quorum.rig.ChartOperator;
import dev.quorum.rig.RigSession;
import dev.quorum.rig.S3Server;
import dev.quorum.testing.UserEdits;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * EtcdBackupSchedule on the rig: a once-a-minute schedule on a clock sped up 20 times (quorum.backup.clock-rate:
 * a run every 3 real seconds) creates backups of a real cluster; retention keeps 3, deleting the others' objects
 * on the rig's real S3 server and their EtcdBackups; suspend stops new runs.
 */
class EtcdBackupScheduleIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession()
      .withOperator(Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "5s", "QUORUM_BACKUP_CLOCK_RATE", "20"));
  static final String PREFIX = "sched";
  static String ns;
  static KubernetesClient kube;
  static ChartOperator operator;
  static S3Server s3;
  static String bucket;

  @BeforeAll
  static void clusterAndBucket() {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    operator = RIG.operator();
    kube.resource(new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
        .withApiVersion("etcd.quorum.dev/v1alpha1").withKind("EtcdCluster")
        .withNewMetadata().withName("src").withNamespace(ns).endMetadata()
        .addToAdditionalProperties("spec", Map.of("size", 3, "storage", Map.of("ephemeral", true))).build()).create();
    await("src Available").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> Demo.isAvailable(kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns)
            .withName("src").get()));
    s3 = RIG.rig().s3();
    bucket = s3.createBucket("scheduled-" + System.nanoTime());
    kube.resource(new SecretBuilder().withNewMetadata().withName("s3").withNamespace(ns).endMetadata()
        .addToStringData("AWS_ACCESS_KEY_ID", s3.accessKey())
        .addToStringData("AWS_SECRET_ACCESS_KEY", s3.secretKey()).build()).create();
  }

  @Test
  void aFastScheduleKeepsTheLastThreeBackupsInS3AndAsResourcesAndSuspendStopsIt() {
    kube.resources(EtcdBackupSchedule.class).inNamespace(ns).resource(schedule("every", "* * * * *", 3)).create();

    await("5 backups created").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> operatorAlive() && created("every") >= 5);
    EtcdBackupScheduleStatus running = schedule("every").getStatus();
    assertThat(running.getLastScheduleTime()).isNotNull();
    assertThat(running.getNextScheduleTime()).isNotNull();
    assertThat(running.getLastSuccessfulTime()).isNotNull();

    UserEdits.retryingConflicts(() -> kube.resources(EtcdBackupSchedule.class).inNamespace(ns).withName("every")
        .edit(s -> {
          s.getSpec().setSuspend(true);
          return s;
        }));
    await("suspended, the last backup finished and pruned").atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500)).until(() -> {
          EtcdBackupScheduleStatus status = schedule("every").getStatus();
          List<EtcdBackup> backups = backups("every");
          return operatorAlive() && "Suspended".equals(status.getReason()) && status.getActive().isEmpty()
              && backups.stream().allMatch(b -> b.getStatus() != null && b.getStatus().getPhase() != null
                  && b.getStatus().getPhase().finished())
              && backups.size() == 3 && objects().size() == 3;
        });

    List<EtcdBackup> kept = backups("every");
    assertThat(kept).allSatisfy(b -> assertThat(b.getStatus().getPhase()).isEqualTo(OperationPhase.Succeeded));
    List<String> keys = kept.stream().map(BackupKeys::key).sorted().toList();
    assertThat(objects()).extracting(S3Object::key).containsExactlyElementsOf(keys);
    // the newest backup the schedule created is among those kept
    String newest = kept.stream().map(b -> b.getMetadata().getName()).max(Comparator.naturalOrder()).orElseThrow();
    EtcdBackupScheduleStatus suspended = schedule("every").getStatus();
    assertThat(newest).isEqualTo(EtcdBackupScheduleReconciler.backupName("every",
        java.time.Instant.parse(suspended.getLastScheduleTime())));
    assertThat(suspended.getNextScheduleTime()).isNull();

    // suspended: no run for longer than several scheduled times (3 s each)
    int createdWhenSuspended = created("every");
    await("no new backups while suspended").during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(500)).until(() -> created("every") == createdWhenSuspended
            && backups("every").size() == 3);
  }

  @Test
  void aBadCronExpressionIsReportedAndCreatesNothing() {
    // five fields, so admission lets it through; only the operator can tell minute 61 is wrong
    kube.resources(EtcdBackupSchedule.class).inNamespace(ns).resource(schedule("bad", "61 * * * *", 3)).create();
    await("InvalidSchedule").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() -> {
      EtcdBackupSchedule s = schedule("bad");
      return s.getStatus() != null && "InvalidSchedule".equals(s.getStatus().getReason());
    });
    assertThat(schedule("bad").getStatus().getMessage()).contains("61 * * * *");
    assertThat(kube.v1().events().inNamespace(ns).list().getItems()).as("a Warning event")
        .anyMatch(e -> "bad".equals(e.getInvolvedObject().getName()) && "Warning".equals(e.getType())
            && "InvalidSchedule".equals(e.getReason()));
    assertThat(backups("bad")).isEmpty();
  }

  @Test
  void aBackupWhoseCreationStatusWasLostStillCountsAsTheLastRun() {
    // a yearly schedule, suspended: the operator never creates a run itself here
    EtcdBackupSchedule yearly = schedule("lost", "@yearly", 3);
    yearly.getSpec().setSuspend(true);
    EtcdBackupSchedule created = kube.resources(EtcdBackupSchedule.class).inNamespace(ns).resource(yearly).create();
    // what a create leaves when its status write conflicts with the user's edit: the backup, but no lastScheduleTime
    java.time.Instant runTime = java.time.Instant.parse(created.getMetadata().getCreationTimestamp())
        .truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
    EtcdBackup orphanRun = EtcdBackupScheduleReconciler.backupFor(created, runTime);
    orphanRun.getSpec().setClusterName("no-such-cluster");
    kube.resources(EtcdBackup.class).inNamespace(ns).resource(orphanRun).create();

    await("lastScheduleTime from the existing run").atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500)).until(() -> {
          EtcdBackupScheduleStatus status = schedule("lost").getStatus();
          return operatorAlive() && status != null && runTime.toString().equals(status.getLastScheduleTime());
        });
    assertThat(schedule("lost").getStatus().getReason()).isEqualTo("Suspended");
  }

  @Test
  void anInlineScheduleOnTheClusterBacksItUpAndGoesWhenTheDeclarationGoes() {
    Map<String, Object> inline = Map.of("schedule", "* * * * *", "retention", Map.of("keepLast", 2),
        "destination", Map.of("s3", Map.of("bucket", bucket, "prefix", "inline", "endpoint", s3.endpoint().toString(),
            "forcePathStyle", true, "credentialsSecret", Map.of("name", "s3"))));
    editClusterSpec("src", spec -> spec.put("backup", inline));

    await("an owned schedule backs src up").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> operatorAlive() && backups("src-backup").stream().anyMatch(b -> b.getStatus() != null
            && b.getStatus().getPhase() == OperationPhase.Succeeded));
    EtcdBackupSchedule owned = schedule("src-backup");
    String clusterUid = kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns).withName("src").get()
        .getMetadata().getUid();
    assertThat(owned.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(clusterUid));
    assertThat(owned.getSpec().getBackupTemplate().getClusterName()).isEqualTo("src");
    assertThat(owned.getSpec().getRetention().getKeepLast()).isEqualTo(2);
    assertThat(objects("inline")).isNotEmpty();

    editClusterSpec("src", spec -> spec.remove("backup"));
    await("the schedule and its EtcdBackups are gone").atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> operatorAlive() && schedule("src-backup") == null && backups("src-backup").isEmpty());
    assertThat(objects("inline")).as("the objects in the store stay").isNotEmpty();
  }

  @Test
  void anInlineScheduleNeverTakesOverAScheduleTheClusterDoesNotOwn() {
    EtcdBackupSchedule users = schedule("clash-backup", "@yearly", 3);
    users.getSpec().setSuspend(true);
    kube.resources(EtcdBackupSchedule.class).inNamespace(ns).resource(users).create();
    kube.resource(new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
        .withApiVersion("etcd.quorum.dev/v1alpha1").withKind("EtcdCluster")
        .withNewMetadata().withName("clash").withNamespace(ns).endMetadata()
        .addToAdditionalProperties("spec", Map.of("size", 3, "storage", Map.of("ephemeral", true),
            "backup", Map.of("schedule", "@hourly", "destination", Map.of("s3", Map.of("bucket", bucket)))))
        .build()).create();
    try {
      await("Degraded, naming the schedule").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
          .until(() -> operatorAlive() && degradedMessage("clash").contains("clash-backup"));
      assertThat(degradedMessage("clash")).contains("does not own");
      EtcdBackupSchedule untouched = schedule("clash-backup");
      assertThat(untouched.getMetadata().getOwnerReferences()).isEmpty();
      assertThat(untouched.getSpec().getSchedule()).isEqualTo("@yearly");
      assertThat(untouched.getSpec().getBackupTemplate().getClusterName()).isEqualTo("src");
    } finally {
      kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns).withName("clash").delete();
    }
  }

  @SuppressWarnings("unchecked")
  static void editClusterSpec(String cluster, java.util.function.Consumer<Map<String, Object>> change) {
    UserEdits.retryingConflicts(() -> kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns)
        .withName(cluster).edit(c -> {
          change.accept((Map<String, Object>) c.getAdditionalProperties().get("spec"));
          return c;
        }));
  }

  @SuppressWarnings("unchecked")
  static String degradedMessage(String cluster) {
    var resource = kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns).withName(cluster).get();
    Map<String, Object> status = (Map<String, Object>) resource.getAdditionalProperties().get("status");
    if (status == null || status.get("conditions") == null) {
      return "";
    }
    return ((List<Map<String, Object>>) status.get("conditions")).stream()
        .filter(c -> "Degraded".equals(c.get("type")) && "True".equals(c.get("status")))
        .map(c -> String.valueOf(c.get("message"))).findFirst().orElse("");
  }

  static EtcdBackupSchedule schedule(String name, String cron, int keepLast) {
    S3CredentialsSecret credentials = new S3CredentialsSecret();
    credentials.setName("s3");
    S3Destination destination = new S3Destination();
    destination.setBucket(bucket);
    destination.setPrefix(PREFIX);
    destination.setEndpoint(s3.endpoint().toString());
    destination.setForcePathStyle(true);
    destination.setCredentialsSecret(credentials);
    BackupDestination to = new BackupDestination();
    to.setS3(destination);
    EtcdBackupTemplate template = new EtcdBackupTemplate();
    template.setClusterName("src");
    template.setDestination(to);
    BackupRetention retention = new BackupRetention();
    retention.setKeepLast(keepLast);
    EtcdBackupSchedule schedule = new EtcdBackupSchedule();
    schedule.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    schedule.getSpec().setSchedule(cron);
    schedule.getSpec().setBackupTemplate(template);
    schedule.getSpec().setRetention(retention);
    return schedule;
  }

  static EtcdBackupSchedule schedule(String name) {
    return kube.resources(EtcdBackupSchedule.class).inNamespace(ns).withName(name).get();
  }

  static List<EtcdBackup> backups(String schedule) {
    return kube.resources(EtcdBackup.class).inNamespace(ns)
        .withLabel(Labels.BACKUP_SCHEDULE, schedule).list().getItems();
  }

  /** Backups the schedule created, pruned ones included: its Created events. */
  static int created(String schedule) {
    return (int) kube.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> schedule.equals(e.getInvolvedObject().getName()) && "Created".equals(e.getReason())).count();
  }

  static List<S3Object> objects() {
    return objects(PREFIX);
  }

  static List<S3Object> objects(String prefix) {
    try (S3Client client = s3.client()) {
      return client.listObjectsV2(b -> b.bucket(bucket).prefix(prefix + "/")).contents();
    }
  }

  static boolean operatorAlive() {
    if (!operator.isAlive()) {
      throw new IllegalStateException("the operator exited:\n" + operator.logTail(40));
    }
    return true;
  }
}
