package dev.quorum.specs;

import dev.quorum.api.v1alpha1.ClusterBackupSchedule;
import dev.quorum.api.v1alpha1.EtcdBackupSchedule;
import dev.quorum.api.v1alpha1.EtcdBackupScheduleSpec;
import dev.quorum.api.v1alpha1.EtcdBackupTemplate;
import dev.quorum.model.EtcdClusterModel;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Optional;

/** The EtcdBackupSchedule of a cluster's inline {@code spec.backup}: the same schedule, backing up this cluster. */
public final class BackupScheduleBuilder {

  private BackupScheduleBuilder() {}

  /** Empty when the cluster declares no backup schedule. */
  public static Optional<EtcdBackupSchedule> build(EtcdClusterModel model) {
    ClusterBackupSchedule inline = model.spec().getBackup();
    if (inline == null) {
      return Optional.empty();
    }
    // the shared schedule fields carry over as they are; destination is the inline schedule's own
    EtcdBackupScheduleSpec spec = Serialization.jsonMapper().convertValue(inline, EtcdBackupScheduleSpec.class);
    EtcdBackupTemplate template = new EtcdBackupTemplate();
    template.setClusterName(model.name());
    template.setDestination(Serialization.clone(inline.getDestination()));
    template.setCompression(inline.getCompression());
    spec.setBackupTemplate(template);
    EtcdBackupSchedule schedule = new EtcdBackupSchedule();
    schedule.setMetadata(ChildMetadata.of(model, model.backupSchedule()));
    schedule.setSpec(spec);
    return Optional.of(schedule);
  }
}
