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

/**
 * One recovery of a cluster that lost its quorum for good, asked by a user or by the cluster's policy. The cluster's
 * reconciler carries it out (it holds the members) and writes this status.
 */
@Group(EtcdCluster.GROUP)
@Version(EtcdCluster.VERSION)
@Plural("etcdrecoveries")
@ShortNames("erc")
@AdditionalPrinterColumn(name = "CLUSTER", jsonPath = ".spec.clusterName", type = Type.STRING)
@AdditionalPrinterColumn(name = "FROM", jsonPath = ".spec.from", type = Type.STRING)
@AdditionalPrinterColumn(name = "PHASE", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "REVISION", jsonPath = ".status.recoveredRevision", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class EtcdRecovery extends CustomResource<EtcdRecoverySpec, EtcdRecoveryStatus> implements Namespaced {

  /**
   * Held from the moment a recovery begins until it hands the members over: deleted halfway, its decision (which
   * members are set aside) would be lost while old members could still start beside a forced survivor.
   */
  public static final String IN_PROGRESS_FINALIZER = "etcd.quorum.dev/recovery-in-progress";

  /** Not finished yet: Pending, Running, or not looked at by the operator so far. */
  @JsonIgnore
  public boolean inProgress() {
    return getStatus() == null || getStatus().getPhase() == null || !getStatus().getPhase().finished();
  }

  /** Running, with what it decided on record (the survivor, or the backup): it changes the members until it ends. */
  @JsonIgnore
  public boolean begun() {
    EtcdRecoveryStatus status = getStatus();
    return status != null && status.getPhase() == OperationPhase.Running
        && (status.getSurvivor() != null || status.getBackup() != null);
  }

  @Override
  protected EtcdRecoverySpec initSpec() {
    return new EtcdRecoverySpec();
  }
}
