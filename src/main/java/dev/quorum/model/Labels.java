package dev.quorum.model;

/** Label keys the operator sets and selects by. */
public final class Labels {

  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String CLUSTER = "etcd.quorum.dev/cluster";
  /** On a member's pod and claim: the member's name. */
  public static final String MEMBER = "etcd.quorum.dev/member";

  public static final String NAME_VALUE = "etcd";
  public static final String MANAGED_BY_VALUE = "quorum";
  /** Selects exactly the objects the operator manages, so informers cache nothing else. */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + MANAGED_BY_VALUE;

  private Labels() {}
}
