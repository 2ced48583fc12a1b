package dev.quorum.api.v1alpha1;

/** Condition types and reasons an EtcdCluster reports. */
public final class ConditionTypes {

  public static final String AVAILABLE = "Available";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";

  private ConditionTypes() {}
}
