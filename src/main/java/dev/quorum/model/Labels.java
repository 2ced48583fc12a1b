package dev.quorum.model;

/** Label keys the operator sets and selects by. */
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

  /** On an EtcdCluster an EtcdRestore created: the restore's UID. */
  public static final String RESTORED_BY_ANNOTATION = "etcd.quorum.dev/restored-by";
  /**
   * On an EtcdCluster being restored in place: the EtcdRestore's name. The cluster's reconciler leaves its members
   * alone while that restore runs (it stops them and rewrites their records).
   */
  public static final String RESTORE_IN_PROGRESS_ANNOTATION = "etcd.quorum.dev/restore-in-progress";

  /** On each member pod: the etcd version it runs. */
  public static final String VERSION_ANNOTATION = "etcd.quorum.dev/version";
  /** TLS: the contents of the members' Secret (by its certificates) a member's pod started with. */
  public static final String TLS_REVISION_ANNOTATION = "etcd.quorum.dev/tls-revision";
  /** On an EtcdCluster whose members are being upgraded: the version they ran before, to roll back to. */
  public static final String UPGRADE_FROM_ANNOTATION = "etcd.quorum.dev/upgrade-from";
  /**
   * On an EtcdCluster whose upgrade failed: {@code <version>: <why>}. While the spec still asks for that version the
   * members run the one they upgraded from; a new version in the spec is a new attempt.
   */
  public static final String UPGRADE_ROLLED_BACK_ANNOTATION = "etcd.quorum.dev/upgrade-rolled-back";

  /** On a static pod manifest (and so its mirror pod): the uid of the EtcdCluster it is a member of. */
  public static final String CLUSTER_UID_ANNOTATION = "etcd.quorum.dev/cluster-uid";
  /** On a static pod manifest's ConfigMap: the node whose agent writes it into the kubelet's directory. */
  public static final String STATIC_POD_NODE = "etcd.quorum.dev/static-pod-node";
  /** On the kubelet's mirror pods: the static pod they mirror. */
  public static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

  public static final String NAME_VALUE = "etcd";
  public static final String MANAGED_BY_VALUE = "quorum";
  /** Selects exactly the objects the operator manages, so informers cache nothing else. */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + MANAGED_BY_VALUE;

  private Labels() {}
}
