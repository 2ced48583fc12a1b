package dev.quorum.api.v1alpha1;

/**
 * Where a cluster that lost its quorum for good comes back from: its best survivor (the member that answers with the
 * most data, made a one-member cluster with {@code --force-new-cluster}, the others re-added empty), a backup
 * restored in place, or whichever of the two gives up less (the higher etcd revision).
 */
public enum RecoverySource {
  Survivor,
  Backup,
  LeastLoss
}
