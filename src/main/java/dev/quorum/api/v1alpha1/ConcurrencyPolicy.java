package dev.quorum.api.v1alpha1;

/** What a scheduled run does while an earlier backup of the schedule is still running, as a CronJob's. */
public enum ConcurrencyPolicy {
  /** Wait: the run starts once the earlier backup has finished (if still within startingDeadlineSeconds). */
  Forbid,
  /** Run beside it. */
  Allow,
  /** Delete the running backup, then run. */
  Replace
}
