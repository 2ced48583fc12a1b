package dev.quorum.specs;

import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.InPlaceRestore;
import dev.quorum.api.v1alpha1.SnapshotSource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/**
 * The in-place EtcdRestore through which a recovery from a backup restores its cluster: the same path, checks and
 * hold as a user's, owned by the recovery. One per backup tried, numbered, so a backup passed over keeps its failed
 * restore as the record of why.
 */
public final class RecoveryRestoreBuilder {

  /** An object name's limit, less room for the attempt's number. */
  private static final int NAME_PREFIX_LIMIT = 240;

  private RecoveryRestoreBuilder() {}

  /** @param attempt 1 for the first backup tried, then one more for each passed over */
  public static String name(EtcdRecovery recovery, int attempt) {
    String prefix = recovery.getMetadata().getName();
    return (prefix.length() > NAME_PREFIX_LIMIT ? prefix.substring(0, NAME_PREFIX_LIMIT) : prefix) + "-" + attempt;
  }

  public static EtcdRestore build(EtcdRecovery recovery, String name, String backup) {
    EtcdRestore restore = new EtcdRestore();
    restore.setMetadata(new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(recovery.getMetadata().getNamespace())
        .withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion(recovery.getApiVersion())
            .withKind(recovery.getKind())
            .withName(recovery.getMetadata().getName())
            .withUid(recovery.getMetadata().getUid())
            .withController(true)
            .build())
        .build());
    SnapshotSource source = new SnapshotSource();
    source.setBackup(backup);
    InPlaceRestore inPlace = new InPlaceRestore();
    inPlace.setConfirmClusterName(recovery.getSpec().getClusterName());
    restore.getSpec().setSource(source);
    restore.getSpec().setClusterName(recovery.getSpec().getClusterName());
    restore.getSpec().setInPlace(inPlace);
    return restore;
  }

  /** Whether the restore was made by this recovery (its controller owner). */
  public static boolean ownedBy(EtcdRestore restore, EtcdRecovery recovery) {
    return restore.getMetadata().getOwnerReferences() != null && restore.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> Boolean.TRUE.equals(o.getController()) && recovery.getKind().equals(o.getKind())
            && recovery.getMetadata().getName().equals(o.getName()));
  }
}
