package dev.quorum.api.v1alpha1;

/** Pending (waiting to start), Running (streaming), then Succeeded or Failed for good. */
public enum BackupPhase {
  Pending,
  Running,
  Succeeded,
  Failed;

  public boolean finished() {
    return this == Succeeded || this == Failed;
  }
}
