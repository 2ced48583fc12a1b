package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** etcd's --auto-compaction-mode values. */
public enum AutoCompactionMode {
  @JsonProperty("periodic")
  PERIODIC,
  @JsonProperty("revision")
  REVISION;

  public String flagValue() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
