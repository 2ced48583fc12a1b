package dev.quorum.specs;

import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.RecoverySource;
import dev.quorum.model.EtcdClusterModel;
import java.time.Instant;

/**
 * The EtcdRecovery a cluster's policy asks for by itself: named after the loss it answers, so one loss gets one
 * automatic recovery however often it is looked at (a refused one is not asked again for the same loss).
 */
public final class AutomaticRecoveryBuilder {

  private AutomaticRecoveryBuilder() {}

  public static String name(EtcdClusterModel model, Instant lostSince) {
    return model.name() + "-auto-" + lostSince.getEpochSecond();
  }

  public static EtcdRecovery build(EtcdClusterModel model, RecoverySource from, Instant lostSince) {
    EtcdRecovery recovery = new EtcdRecovery();
    recovery.setMetadata(ChildMetadata.of(model, name(model, lostSince)));
    recovery.getSpec().setClusterName(model.name());
    recovery.getSpec().setConfirmClusterName(model.name());
    recovery.getSpec().setFrom(from);
    return recovery;
  }
}
