package dev.quorum.api.v1alpha1;

/** Pending (checking the source), Running (members restoring), then Succeeded or Failed for good. */
public enum RestorePhase {
  Pending,
  Running,
  Succeeded,
  Failed;

  public boolean finished() {
    return this == Succeeded || this == Failed;
  }
}
