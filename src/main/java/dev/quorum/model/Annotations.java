package dev.quorum.model;

/** Annotation keys the operator writes and reads; the labels are in {@link Labels}. */
public final class Annotations {

  /** On an EtcdCluster an EtcdRestore created: the restore's UID. */
  public static final String RESTORED_BY = "etcd.quorum.dev/restored-by";
  /**
   * On an EtcdCluster being restored in place: the EtcdRestore's name. The cluster's reconciler leaves its members
   * alone while that restore runs (it stops them and rewrites their records).
   */
  public static final String RESTORE_IN_PROGRESS = "etcd.quorum.dev/restore-in-progress";

  /** On each member pod: the etcd version it runs. */
  public static final String VERSION = "etcd.quorum.dev/version";
  /** On each member pod: hash of the member's shape (everything but its bootstrap); a pod whose hash differs is rolled. */
  public static final String SHAPE_HASH = "etcd.quorum.dev/shape-hash";
  /** TLS: the contents of the members' Secret (by its certificates) a member's pod started with. */
  public static final String TLS_REVISION = "etcd.quorum.dev/tls-revision";
  /** On an EtcdCluster whose members are being upgraded: the version they ran before, to roll back to. */
  public static final String UPGRADE_FROM = "etcd.quorum.dev/upgrade-from";
  /**
   * On an EtcdCluster whose upgrade failed: {@code <version>: <why>}. While the spec still asks for that version the
   * members run the one they upgraded from; a new version in the spec is a new attempt.
   */
  public static final String UPGRADE_ROLLED_BACK = "etcd.quorum.dev/upgrade-rolled-back";

  /** On a static pod manifest (and so its mirror pod): the uid of the EtcdCluster it is a member of. */
  public static final String CLUSTER_UID = "etcd.quorum.dev/cluster-uid";
  /**
   * On an EtcdCluster with volume claims: the size, in bytes, every member's volume has (the smallest claim's
   * capacity, at most storage.size). The default quota derives from it, so it grows only once every volume has.
   */
  public static final String VOLUME_SIZE = "etcd.quorum.dev/volume-size";
  /** On the kubelet's mirror pods: the static pod they mirror. */
  public static final String MIRROR = "kubernetes.io/config.mirror";

  /** On an EtcdBackup a schedule created: the time it was due, which orders the schedule's backups for retention. */
  public static final String SCHEDULED_TIME = "etcd.quorum.dev/scheduled-time";

  private Annotations() {}
}
