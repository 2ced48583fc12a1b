package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One restore of a snapshot: into a new EtcdCluster, or over an existing one in place. */
@Group(EtcdCluster.GROUP)
@Version(EtcdCluster.VERSION)
@Plural("etcdrestores")
@ShortNames("er")
@AdditionalPrinterColumn(name = "CLUSTER", jsonPath = ".spec.clusterName", type = Type.STRING)
@AdditionalPrinterColumn(name = "PHASE", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "REVISION", jsonPath = ".status.restoredRevision", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "SOURCE", jsonPath = ".status.source", type = Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class EtcdRestore extends CustomResource<EtcdRestoreSpec, EtcdRestoreStatus> implements Namespaced {

  /** Not finished yet: Pending, Running, or not looked at by the operator so far. */
  @JsonIgnore
  public boolean inProgress() {
    return getStatus() == null || getStatus().getPhase() == null || !getStatus().getPhase().finished();
  }

  @Override
  protected EtcdRestoreSpec initSpec() {
    return new EtcdRestoreSpec();
  }
}
