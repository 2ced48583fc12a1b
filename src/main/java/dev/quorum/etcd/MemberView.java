package dev.quorum.etcd;

import java.util.List;

/**
 * One member as etcd lists it, plus what it answered when asked directly.
 *
 * @param leaderKnown the member answered and follows (or is) a leader; false once it lost quorum
 * @param version etcd version the member runs; null when it did not answer
 * @param error why the member did not answer; null when it did
 * @param revision the store revision the member has applied; 0 when it did not answer
 * @param raftIndex the last Raft log entry the member holds; 0 when it did not answer. Read from each member on its
 *     own, so it is known without quorum: the member with the highest one holds the most data
 * @param database its database's size as it answered ({@link DatabaseSize#UNKNOWN} when it did not)
 * @param storageVersion the format its data is kept in, as it answered (3.6 on); null when unknown
 * @param downgradeTarget the version etcd's downgrade API is enabled for, as it answered (3.6 on); null when none
 */
public record MemberView(
    long id,
    String name,
    List<String> peerURLs,
    List<String> clientURLs,
    boolean learner,
    boolean reachable,
    boolean leaderKnown,
    String version,
    String error,
    long revision,
    long raftIndex,
    DatabaseSize database,
    String storageVersion,
    String downgradeTarget) {

  public MemberView(long id, String name, List<String> peerURLs, List<String> clientURLs, boolean learner,
      boolean reachable, boolean leaderKnown, String version, String error, long revision, long raftIndex,
      DatabaseSize database) {
    this(id, name, peerURLs, clientURLs, learner, reachable, leaderKnown, version, error, revision, raftIndex, database,
        null, null);
  }

  public MemberView(long id, String name, List<String> peerURLs, List<String> clientURLs, boolean learner,
      boolean reachable, boolean leaderKnown, String version, String error, long revision, long raftIndex) {
    this(id, name, peerURLs, clientURLs, learner, reachable, leaderKnown, version, error, revision, raftIndex,
        DatabaseSize.UNKNOWN);
  }

  public MemberView(long id, String name, List<String> peerURLs, List<String> clientURLs, boolean learner,
      boolean reachable, boolean leaderKnown, String version, String error) {
    this(id, name, peerURLs, clientURLs, learner, reachable, leaderKnown, version, error, 0, 0);
  }

  public String idHex() {
    return EtcdIds.toHex(id);
  }

  /** It answered and follows (or is) a leader: it takes part in the cluster's quorum. */
  public boolean healthy() {
    return reachable && leaderKnown;
  }

  /** A member added to the cluster but never started has no name yet. */
  public boolean started() {
    return name != null && !name.isEmpty();
  }
}
