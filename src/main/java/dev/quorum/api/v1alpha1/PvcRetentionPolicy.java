package dev.quorum.api.v1alpha1;

/** What happens to the members' volume claims when the cluster is deleted. */
public enum PvcRetentionPolicy {
  Retain,
  Delete
}
