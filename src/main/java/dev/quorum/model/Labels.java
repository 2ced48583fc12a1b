package dev.quorum.model;

/** Label keys (and their values) the operator sets and selects by; the annotations are in {@link Annotations}. */
public final class Labels {

  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String CLUSTER = "etcd.quorum.dev/cluster";
  /** On a member's pod and claim: the member's name. */
  public static final String MEMBER = "etcd.quorum.dev/member";
  /**
   * On a member's pod while etcd lists its member as a voter: the client Service routes only to these, as a learner
   * refuses clients' requests ("rpc not supported for learner") though its pod is ready.
   */
  public static final String VOTER = "etcd.quorum.dev/voter";
  public static final String VOTER_VALUE = "true";
  /** On a static pod manifest's ConfigMap: the node whose agent writes it into the kubelet's directory. */
  public static final String STATIC_POD_NODE = "etcd.quorum.dev/static-pod-node";
  /** On an EtcdBackup a schedule created: the schedule's name. */
  public static final String BACKUP_SCHEDULE = "etcd.quorum.dev/backup-schedule";
  /** Kubernetes' own node label: members of one cluster are spread across its values. */
  public static final String HOSTNAME = "kubernetes.io/hostname";

  public static final String NAME_VALUE = "etcd";
  public static final String MANAGED_BY_VALUE = "quorum";
  /** Selects exactly the objects the operator manages, so informers cache nothing else. */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + MANAGED_BY_VALUE;

  private Labels() {}
}
