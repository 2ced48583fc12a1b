package dev.quorum.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One snapshot of an EtcdCluster, streamed to object storage and checked. */
@Group(EtcdCluster.GROUP)
@Version(EtcdCluster.VERSION)
@Plural("etcdbackups")
@ShortNames("eb")
@AdditionalPrinterColumn(name = "CLUSTER", jsonPath = ".spec.clusterName", type = Type.STRING)
@AdditionalPrinterColumn(name = "PHASE", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "BYTES", jsonPath = ".status.sizeBytes", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "REVISION", jsonPath = ".status.revision", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "LOCATION", jsonPath = ".status.location", type = Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class EtcdBackup extends CustomResource<EtcdBackupSpec, EtcdBackupStatus> implements Namespaced {

  @Override
  protected EtcdBackupSpec initSpec() {
    return new EtcdBackupSpec();
  }
}
