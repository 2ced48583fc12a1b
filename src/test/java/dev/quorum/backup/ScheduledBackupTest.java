package dev.quorum.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.v1alpha1.BackupDestination;
import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupSchedule;
import dev.quorum.api.v1alpha1.EtcdBackupTemplate;
import dev.quorum.api.v1alpha1.S3Destination;
import dev.quorum.model.Labels;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ScheduledBackupTest {

  @Test
  void aScheduledBackupIsNamedByItsTimeLabelledOwnedAndCopiesTheTemplate() {
    EtcdBackupSchedule schedule = new EtcdBackupSchedule();
    schedule.setMetadata(new ObjectMetaBuilder().withName("nightly").withNamespace("prod").withUid("u-1").build());
    S3Destination s3 = new S3Destination();
    s3.setBucket("backups");
    s3.setPrefix("etcd");
    BackupDestination destination = new BackupDestination();
    destination.setS3(s3);
    EtcdBackupTemplate template = new EtcdBackupTemplate();
    template.setClusterName("main");
    template.setDestination(destination);
    schedule.getSpec().setBackupTemplate(template);

    Instant time = Instant.parse("2026-03-04T05:06:00Z");
    EtcdBackup backup = EtcdBackupScheduleReconciler.backupFor(schedule, time);

    assertThat(backup.getMetadata().getName()).isEqualTo("nightly-202603040506");
    assertThat(backup.getMetadata().getNamespace()).isEqualTo("prod");
    assertThat(backup.getMetadata().getLabels())
        .containsEntry(Labels.BACKUP_SCHEDULE, "nightly");
    assertThat(EtcdBackupScheduleReconciler.scheduledTime(backup)).isEqualTo(time);
    assertThat(backup.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getUid()).isEqualTo("u-1");
      assertThat(o.getKind()).isEqualTo("EtcdBackupSchedule");
      assertThat(o.getController()).isTrue();
    });
    assertThat(backup.getSpec().getClusterName()).isEqualTo("main");
    assertThat(backup.getSpec().getDestination().getS3()).isNotSameAs(s3);
    assertThat(BackupKeys.key(backup)).isEqualTo("etcd/prod/main/nightly-202603040506.db");
  }
}
