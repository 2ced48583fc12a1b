package dev.quorum.api.v1alpha1;

/**
 * The phases of a one-off operation, a backup or a restore: Pending (waiting to start, or checking what it needs),
 * Running (streaming a snapshot, or members restoring one), then Succeeded or Failed for good.
 */
public enum OperationPhase {
  Pending,
  Running,
  Succeeded,
  Failed;

  public boolean finished() {
    return this == Succeeded || this == Failed;
  }
}
