package dev.quorum.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** EtcdBackups of one EtcdCluster on a cron schedule, with retention of their objects. */
@Group(EtcdCluster.GROUP)
@Version(EtcdCluster.VERSION)
@Plural("etcdbackupschedules")
@ShortNames("ebs")
@AdditionalPrinterColumn(name = "CLUSTER", jsonPath = ".spec.backupTemplate.clusterName", type = Type.STRING)
@AdditionalPrinterColumn(name = "SCHEDULE", jsonPath = ".spec.schedule", type = Type.STRING)
@AdditionalPrinterColumn(name = "SUSPEND", jsonPath = ".spec.suspend", type = Type.BOOLEAN)
@AdditionalPrinterColumn(name = "LAST SCHEDULE", jsonPath = ".status.lastScheduleTime", type = Type.DATE)
@AdditionalPrinterColumn(name = "LAST SUCCESS", jsonPath = ".status.lastSuccessfulTime", type = Type.DATE)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class EtcdBackupSchedule extends CustomResource<EtcdBackupScheduleSpec, EtcdBackupScheduleStatus>
    implements Namespaced {

  @Override
  protected EtcdBackupScheduleSpec initSpec() {
    return new EtcdBackupScheduleSpec();
  }
}
