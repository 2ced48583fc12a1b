package dev.quorum.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One EtcdCluster's health as a reconcile pass saw it: the values behind {@link ClusterHealthMetrics}' series. Built
 * from what the pass read anyway, so a scrape never reaches etcd. A value nobody could read is empty, never 0: a
 * member that did not answer has no database size, which is not the same as an empty one.
 *
 * @param uid the resource's uid: a pass that ends after its cluster was deleted must not bring its series back
 * @param desiredMembers the members the spec asks for
 * @param readyMembers members whose pod is ready and that etcd lists
 * @param voters voting members in etcd's member list; empty when no member answered
 * @param learners learners in etcd's member list; empty when no member answered
 * @param faultTolerance how many more members may fail before quorum is lost (0 when it is at risk or lost)
 * @param leader the leader's member name; empty while there is none
 * @param quotaBytes the database size at which etcd raises NOSPACE (the members' quota)
 * @param alarms each alarm type etcd knows → the members that have it raised now (0 for a type none has)
 * @param operation the operation in progress (a membership change or the databases' care), if one is
 * @param certificateExpires when the members' certificate expires (TLS clusters)
 * @param caExpires when the CA that signed it expires (a CA the operator keeps)
 * @param reconcileFailed whether this pass failed to apply the desired objects
 */
public record ClusterHealth(
    String namespace,
    String cluster,
    String uid,
    int desiredMembers,
    int readyMembers,
    OptionalInt voters,
    OptionalInt learners,
    int faultTolerance,
    Optional<String> leader,
    long quotaBytes,
    Map<String, Integer> alarms,
    Optional<String> operation,
    Optional<Instant> certificateExpires,
    Optional<Instant> caExpires,
    boolean reconcileFailed,
    List<Member> members) {

  /**
   * One member as etcd and its pod showed it.
   *
   * @param up it answered and follows (or is) a leader
   * @param databaseBytes its database file's size (what counts against the quota)
   * @param databaseInUseBytes how much of the file holds data (the rest a defragmentation gives back)
   * @param raftIndexLag how many Raft entries it is behind the leader; empty when it or the leader did not answer
   */
  public record Member(String name, boolean up, boolean leader, boolean learner, OptionalLong databaseBytes,
      OptionalLong databaseInUseBytes, OptionalLong raftIndexLag) {}
}
