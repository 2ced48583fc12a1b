package dev.quorum.cluster;

import dev.quorum.api.EtcdCluster;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

@ControllerConfiguration(name = "etcdcluster")
public class EtcdClusterReconciler implements Reconciler<EtcdCluster> {
  @Override
  public UpdateControl<EtcdCluster> reconcile(EtcdCluster resource, Context<EtcdCluster> context) {
    return UpdateControl.noUpdate();
  }
}
