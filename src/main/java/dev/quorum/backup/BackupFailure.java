package dev.quorum.backup;

/**
 * Why an attempt failed, and whether trying again can help: a missing bucket or Secret stays missing, a member
 * or object store that did not answer may answer next time.
 */
public record BackupFailure(String reason, String message, boolean permanent) {

  public static final String CLUSTER_NOT_FOUND = "ClusterNotFound";
  public static final String CLUSTER_NOT_READY = "ClusterNotReady";
  public static final String SECRET_NOT_FOUND = "SecretNotFound";
  public static final String SECRET_KEY_MISSING = "SecretKeyMissing";
  public static final String SNAPSHOT_FAILED = "SnapshotFailed";
  public static final String INTERRUPTED = "AttemptInterrupted";

  static BackupFailure permanent(String reason, String message) {
    return new BackupFailure(reason, message, true);
  }

  static BackupFailure transientFailure(String reason, String message) {
    return new BackupFailure(reason, message, false);
  }
}
