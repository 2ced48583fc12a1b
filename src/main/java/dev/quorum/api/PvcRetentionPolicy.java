package dev.quorum.api;

/** What happens to the members' volume claims when the cluster is deleted. */
public enum PvcRetentionPolicy {
  Retain,
  Delete
}
