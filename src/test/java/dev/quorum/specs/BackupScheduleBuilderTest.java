package dev.quorum.specs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.BackupDestination;
import dev.quorum.api.v1alpha1.BackupRetention;
import dev.quorum.api.v1alpha1.ClusterBackupSchedule;
import dev.quorum.api.v1alpha1.ConcurrencyPolicy;
import dev.quorum.api.v1alpha1.EtcdBackupSchedule;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.S3Destination;
import dev.quorum.model.Labels;
import org.junit.jupiter.api.Test;

class BackupScheduleBuilderTest {

  @Test
  void noInlineScheduleBuildsNothing() {
    assertThat(BackupScheduleBuilder.build(TestClusters.model(TestClusters.cluster("demo", 3)))).isEmpty();
  }

  @Test
  void theInlineScheduleBecomesAnOwnedScheduleOfThisCluster() {
    EtcdCluster cluster = TestClusters.cluster("demo", 3);
    ClusterBackupSchedule inline = new ClusterBackupSchedule();
    inline.setSchedule("@hourly");
    inline.setTimeZone("Europe/Berlin");
    inline.setConcurrencyPolicy(ConcurrencyPolicy.Replace);
    inline.setStartingDeadlineSeconds(600L);
    inline.setFailedBackupsHistoryLimit(2);
    BackupRetention retention = new BackupRetention();
    retention.setKeepLast(24);
    retention.setMaxAge("7d");
    inline.setRetention(retention);
    S3Destination s3 = new S3Destination();
    s3.setBucket("backups");
    s3.setPrefix("prod");
    BackupDestination destination = new BackupDestination();
    destination.setS3(s3);
    inline.setDestination(destination);
    cluster.getSpec().setBackup(inline);

    EtcdBackupSchedule schedule = BackupScheduleBuilder.build(TestClusters.model(cluster)).orElseThrow();

    assertThat(schedule.getMetadata().getName()).isEqualTo("demo-backup");
    assertThat(schedule.getMetadata().getNamespace()).isEqualTo(cluster.getMetadata().getNamespace());
    assertThat(schedule.getMetadata().getLabels()).containsEntry(Labels.CLUSTER, "demo")
        .containsEntry(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    assertThat(schedule.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getUid()).isEqualTo(cluster.getMetadata().getUid());
      assertThat(o.getController()).isTrue();
    });
    assertThat(schedule.getSpec().getSchedule()).isEqualTo("@hourly");
    assertThat(schedule.getSpec().getTimeZone()).isEqualTo("Europe/Berlin");
    assertThat(schedule.getSpec().getConcurrencyPolicy()).isEqualTo(ConcurrencyPolicy.Replace);
    assertThat(schedule.getSpec().getStartingDeadlineSeconds()).isEqualTo(600L);
    assertThat(schedule.getSpec().getFailedBackupsHistoryLimit()).isEqualTo(2);
    assertThat(schedule.getSpec().getSuccessfulBackupsHistoryLimit()).isEqualTo(3);
    assertThat(schedule.getSpec().getRetention().getKeepLast()).isEqualTo(24);
    assertThat(schedule.getSpec().getRetention().getMaxAge()).isEqualTo("7d");
    assertThat(schedule.getSpec().getBackupTemplate().getClusterName()).isEqualTo("demo");
    assertThat(schedule.getSpec().getBackupTemplate().getDestination().getS3().getBucket()).isEqualTo("backups");
    assertThat(schedule.getSpec().getBackupTemplate().getDestination().getS3().getPrefix()).isEqualTo("prod");
    // a copy: the builder never shares the cluster's objects
    assertThat(schedule.getSpec().getBackupTemplate().getDestination()).isNotSameAs(destination);
  }
}
