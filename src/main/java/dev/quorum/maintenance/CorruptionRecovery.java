package dev.quorum.maintenance;

import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.EtcdAlarm;
import dev.quorum.etcd.MemberHash;
import dev.quorum.etcd.MemberView;
import dev.quorum.model.Quorum;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Pure: the next step of bringing a cluster back from etcd's CORRUPT alarm, under which it takes no writes (and its
 * members' readiness checks fail). etcd raises it on the member whose data differs from a majority's at a compaction;
 * the operator checks with the voters' own hashes at one revision ({@link ClusterView#hashes()}).
 *
 * <p>The policy, in order:
 *
 * <ol>
 *   <li>the voters that answered with a hash must agree on the revision and compaction, and a majority of all voters
 *       must hold the same hash: that majority's data is the cluster's. Without one, which data is right is the
 *       user's call (a restore from a backup), and nothing is done;
 *   <li>a voter outside that majority is replaced, one at a time: its pod and data are discarded and it joins again as
 *       a new member copying the majority's data (the membership's step, which never costs the quorum);
 *   <li>a voter etcd names that agrees by now is replaced too: etcd compared at a compaction the operator cannot see
 *       again, and a fresh copy of the majority's data costs only the copy;
 *   <li>once every voter answers with the majority's hash and none etcd named is left, every CORRUPT alarm is
 *       disarmed.
 * </ol>
 *
 * <p>Invariants: never more voters replaced than may fail (outside a majority, or named while a majority agrees
 * without them); nothing while a learner is joining (a replacement is under way) or hashes are missing; every step is
 * safe to repeat.
 */
public final class CorruptionRecovery {

  public static final String TYPE = "CorruptionRecovery";

  private CorruptionRecovery() {}

  /** @return the next step; empty when no CORRUPT alarm is raised (or the alarms could not be read) */
  public static Optional<DatabaseStep> next(ClusterView etcd) {
    List<EtcdAlarm> corrupt = etcd.alarms(EtcdAlarm.Type.CORRUPT);
    if (corrupt.isEmpty()) {
      return Optional.empty();
    }
    List<MemberView> voters = etcd.members().stream().filter(m -> !m.learner()).toList();
    Optional<MemberView> learner = etcd.members().stream().filter(MemberView::learner).findFirst();
    if (learner.isPresent()) {
      String name = learner.get().started() ? learner.get().name() : learner.get().idHex();
      return wait(name + " joins as a learner; the members' data is compared again once it votes");
    }
    List<MemberView> unanswered = voters.stream().filter(m -> !etcd.hashes().containsKey(m.id())).toList();
    List<MemberHash> hashes = voters.stream().map(m -> etcd.hashes().get(m.id())).filter(h -> h != null).toList();
    if (hashes.stream().map(h -> h.revision() + "/" + h.compactRevision()).distinct().count() > 1) {
      return wait("the members answered their hashes at different revisions or compactions; compared again on the"
          + " next pass");
    }
    int quorum = Quorum.quorum(voters.size());
    Map<Long, List<MemberView>> byHash = new TreeMap<>(voters.stream().filter(m -> etcd.hashes().containsKey(m.id()))
        .collect(Collectors.groupingBy(m -> etcd.hashes().get(m.id()).hash())));
    Optional<Map.Entry<Long, List<MemberView>>> majority = byHash.entrySet().stream()
        .filter(e -> e.getValue().size() >= quorum).findFirst();
    int largest = byHash.values().stream().mapToInt(List::size).max().orElse(0);
    if (majority.isEmpty() && largest + unanswered.size() >= quorum) {
      return wait(String.format("no %d of the %d voting members agree on their data yet (%s), and %s did not answer:"
          + " compared again once they do", quorum, voters.size(), groups(byHash), names(unanswered)));
    }
    if (majority.isEmpty()) {
      return Optional.of(new DatabaseStep.CannotDecide(TYPE, String.format("etcd raised CORRUPT, and no %d of the %d"
          + " voting members hold the same data (%s%s): which is right is yours to decide; restore the cluster from a"
          + " backup (an EtcdRestore in place), or replace the members you know to be wrong (delete their claims)",
          quorum, voters.size(), groups(byHash), unanswered.isEmpty() ? "" : "; not answering: " + names(unanswered))));
    }
    long agreed = majority.get().getKey();
    Set<Long> named = corrupt.stream().map(EtcdAlarm::memberId).collect(Collectors.toSet());
    Optional<MemberView> differs = voters.stream().filter(m -> etcd.hashes().containsKey(m.id()))
        .filter(m -> etcd.hashes().get(m.id()).hash() != agreed).min(Comparator.comparing(MemberView::name));
    long revision = hashes.get(0).revision();
    if (differs.isPresent()) {
      return Optional.of(new DatabaseStep.ReplaceMember(TYPE, differs.get().name(), differs.get().id(), String.format(
          "%s's data differs from the majority's (hash %d against %d at revision %d)", differs.get().name(),
          etcd.hashes().get(differs.get().id()).hash(), agreed, revision)));
    }
    List<MemberView> stillNamed = voters.stream().filter(m -> named.contains(m.id())).toList();
    if (!stillNamed.isEmpty() && voters.size() - stillNamed.size() >= quorum) {
      MemberView first = stillNamed.stream().min(Comparator.comparing(MemberView::name)).get();
      return Optional.of(new DatabaseStep.ReplaceMember(TYPE, first.name(), first.id(), String.format("etcd found"
          + " %s's data differing at a compaction; it agrees with the majority at revision %d, and is replaced from"
          + " the majority's data to be sure", first.name(), revision)));
    }
    if (!stillNamed.isEmpty()) {
      return Optional.of(new DatabaseStep.CannotDecide(TYPE, String.format("etcd raised CORRUPT on %s, a majority"
          + " of the %d voting members, though their hashes agree at revision %d: the operator replaces no majority;"
          + " compare them (etcdctl endpoint hashkv --cluster) and disarm by hand (etcdctl alarm disarm), or restore"
          + " from a backup", names(stillNamed), voters.size(), revision)));
    }
    if (!unanswered.isEmpty()) {
      return wait(names(unanswered) + " did not answer with a hash of its data; the alarm stays until every voting"
          + " member is seen to agree");
    }
    return Optional.of(new DatabaseStep.Disarm(TYPE, corrupt, DefragmentationOrder.total(etcd)));
  }

  private static Optional<DatabaseStep> wait(String reason) {
    return Optional.of(new DatabaseStep.Wait(TYPE, "etcd raised CORRUPT: " + reason));
  }

  private static String groups(Map<Long, List<MemberView>> byHash) {
    return byHash.entrySet().stream().map(e -> names(e.getValue()) + " hash " + e.getKey())
        .collect(Collectors.joining("; "));
  }

  private static String names(List<MemberView> members) {
    return members.stream().map(MemberView::name).sorted().collect(Collectors.joining(", "));
  }
}
