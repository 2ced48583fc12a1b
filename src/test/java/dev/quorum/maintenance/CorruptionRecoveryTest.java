package dev.quorum.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.DatabaseSize;
import dev.quorum.etcd.EtcdAlarm;
import dev.quorum.etcd.MemberHash;
import dev.quorum.etcd.MemberView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CorruptionRecoveryTest {

  static final long REVISION = 4000;
  static final long COMPACTED = 3000;
  static final long AGREED = 111;
  static final long WRONG = 999;

  @Test
  void withoutACorruptAlarmThereIsNothingToDo() {
    Cluster cluster = new Cluster(3);
    assertThat(CorruptionRecovery.next(cluster.view(List.of()))).isEmpty();
    assertThat(CorruptionRecovery.next(cluster.view(List.of(new EtcdAlarm(cluster.id(0), EtcdAlarm.Type.NOSPACE)))))
        .as("NOSPACE is not this recovery's").isEmpty();
    assertThat(CorruptionRecovery.next(new ClusterView(1, cluster.id(0), cluster.members())))
        .as("alarms not read").isEmpty();
  }

  /** Every size, every member diverged, wherever the leader is and whichever member etcd names (0: it could not). */
  static Stream<Arguments> everyMember() {
    List<Arguments> cases = new ArrayList<>();
    for (int size : List.of(3, 5, 7)) {
      for (int diverged = 0; diverged < size; diverged++) {
        for (boolean named : List.of(true, false)) {
          cases.add(Arguments.of(size, diverged, named));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} members, m-{1} diverged, named by etcd: {2}")
  @MethodSource("everyMember")
  void theMemberWhoseDataDiffersIsReplacedAloneAndTheAlarmDisarmedOnceAllAgree(int size, int diverged, boolean named) {
    Cluster cluster = new Cluster(size);
    cluster.hash(diverged, WRONG);
    long alarmed = named ? cluster.id(diverged) : 0;

    List<String> replaced = cluster.recover(List.of(new EtcdAlarm(alarmed, EtcdAlarm.Type.CORRUPT)));

    assertThat(replaced).containsExactly("m-" + diverged);
  }

  @Test
  void twoOfFiveDivergedAreReplacedOneAtATime() {
    Cluster cluster = new Cluster(5);
    cluster.hash(1, WRONG);
    cluster.hash(4, WRONG + 1);
    List<EtcdAlarm> alarms = List.of(new EtcdAlarm(cluster.id(1), EtcdAlarm.Type.CORRUPT),
        new EtcdAlarm(cluster.id(4), EtcdAlarm.Type.CORRUPT));

    Optional<DatabaseStep> first = CorruptionRecovery.next(cluster.view(alarms));
    assertThat(first).get().isInstanceOfSatisfying(DatabaseStep.ReplaceMember.class, replace -> {
      assertThat(replace.member()).isEqualTo("m-1");
      assertThat(replace.id()).isEqualTo(cluster.id(1));
      assertThat(replace.why()).contains("m-1's data differs from the majority's", "revision " + REVISION);
    });
    assertThat(cluster.recover(alarms)).containsExactly("m-1", "m-4");
  }

  @Test
  void aMemberEtcdNamesThatAgreesByNowIsReplacedToBeSure() {
    Cluster cluster = new Cluster(3);
    List<EtcdAlarm> alarms = List.of(new EtcdAlarm(cluster.id(2), EtcdAlarm.Type.CORRUPT));

    assertThat(CorruptionRecovery.next(cluster.view(alarms))).get()
        .isInstanceOfSatisfying(DatabaseStep.ReplaceMember.class, replace -> assertThat(replace.why())
            .contains("etcd found m-2's data differing at a compaction", "to be sure"));
    assertThat(cluster.recover(alarms)).containsExactly("m-2");
  }

  @Test
  void whenNoMajorityHoldsTheSameDataTheUserDecidesAndNothingIsReplaced() {
    Cluster cluster = new Cluster(3);
    cluster.hash(1, WRONG);
    cluster.hash(2, WRONG + 1);

    assertThat(CorruptionRecovery.next(cluster.view(List.of(new EtcdAlarm(0, EtcdAlarm.Type.CORRUPT))))).get()
        .isInstanceOfSatisfying(DatabaseStep.CannotDecide.class, decide -> assertThat(decide.message())
            .contains("no 2 of the 3 voting members hold the same data", "m-0 hash 111", "restore the cluster"));
  }

  @Test
  void aMajorityIsNeverReplacedEvenWhenEtcdNamesOne() {
    Cluster cluster = new Cluster(3);
    List<EtcdAlarm> alarms = List.of(new EtcdAlarm(cluster.id(0), EtcdAlarm.Type.CORRUPT),
        new EtcdAlarm(cluster.id(1), EtcdAlarm.Type.CORRUPT));

    assertThat(CorruptionRecovery.next(cluster.view(alarms))).get()
        .isInstanceOfSatisfying(DatabaseStep.CannotDecide.class, decide -> assertThat(decide.message())
            .contains("m-0, m-1, a majority of the 3"));
  }

  @Test
  void aMajorityAgreeingWhileOneIsSilentIsEnoughToReplaceButNotToDisarm() {
    Cluster cluster = new Cluster(5);
    cluster.hash(3, WRONG);
    cluster.silent(4);
    List<EtcdAlarm> alarms = List.of(new EtcdAlarm(cluster.id(3), EtcdAlarm.Type.CORRUPT));

    assertThat(CorruptionRecovery.next(cluster.view(alarms))).get().isInstanceOf(DatabaseStep.ReplaceMember.class);
    cluster.replace(3);
    assertThat(CorruptionRecovery.next(cluster.view(alarms))).get()
        .isInstanceOfSatisfying(DatabaseStep.Wait.class, wait -> assertThat(wait.reason())
            .contains("m-4 did not answer with a hash"));
  }

  @Test
  void nothingIsDecidedWhileALearnerJoinsOrTheHashesAreAtDifferentRevisions() {
    Cluster cluster = new Cluster(3);
    cluster.hash(0, WRONG);
    List<EtcdAlarm> alarms = List.of(new EtcdAlarm(cluster.id(0), EtcdAlarm.Type.CORRUPT));

    cluster.learner(0);
    assertThat(CorruptionRecovery.next(cluster.view(alarms))).get()
        .isInstanceOfSatisfying(DatabaseStep.Wait.class, wait -> assertThat(wait.reason()).contains("m-0 joins"));

    Cluster moving = new Cluster(3);
    moving.hash(0, WRONG);
    moving.revision(2, REVISION - 1);
    assertThat(CorruptionRecovery.next(moving.view(alarms))).get()
        .isInstanceOfSatisfying(DatabaseStep.Wait.class, wait -> assertThat(wait.reason())
            .contains("different revisions"));
  }

  @Test
  void whileTheSilentMembersCouldStillMakeAMajorityNothingIsDecided() {
    Cluster cluster = new Cluster(3);
    cluster.hash(0, WRONG);
    cluster.silent(1);
    List<EtcdAlarm> alarms = List.of(new EtcdAlarm(cluster.id(0), EtcdAlarm.Type.CORRUPT));
    assertThat(CorruptionRecovery.next(cluster.view(alarms))).get()
        .isInstanceOfSatisfying(DatabaseStep.Wait.class, wait -> assertThat(wait.reason())
            .contains("no 2 of the 3 voting members agree", "m-1 did not answer"));

    Cluster silent = new Cluster(3);
    for (int i = 0; i < 3; i++) {
      silent.silent(i);
    }
    assertThat(CorruptionRecovery.next(silent.view(alarms))).get().isInstanceOf(DatabaseStep.Wait.class);
  }

  /** A cluster whose members agree on {@link #AGREED} until told otherwise; IDs 0xa0 + ordinal, new ones 0xb0 on. */
  static final class Cluster {
    private final Map<String, Long> ids = new LinkedHashMap<>();
    private final Map<String, Long> hashes = new HashMap<>();
    private final Map<String, Long> revisions = new HashMap<>();
    private final Set<String> learners = new TreeSet<>();
    private long nextId = 0xb0;

    Cluster(int size) {
      for (int i = 0; i < size; i++) {
        ids.put("m-" + i, 0xa0L + i);
        hashes.put("m-" + i, AGREED);
      }
    }

    long id(int ordinal) {
      return ids.get("m-" + ordinal);
    }

    void hash(int ordinal, long hash) {
      hashes.put("m-" + ordinal, hash);
    }

    void silent(int ordinal) {
      hashes.remove("m-" + ordinal);
    }

    void learner(int ordinal) {
      learners.add("m-" + ordinal);
    }

    void revision(int ordinal, long revision) {
      revisions.put("m-" + ordinal, revision);
    }

    /** As the membership replaces it: a new ID under the same name, holding the majority's data. */
    void replace(int ordinal) {
      replace("m-" + ordinal);
    }

    private void replace(String name) {
      ids.put(name, nextId++);
      hashes.put(name, AGREED);
    }

    List<MemberView> members() {
      return ids.entrySet().stream().map(e -> new MemberView(e.getValue(), e.getKey(), List.of(), List.of(),
          learners.contains(e.getKey()), true, true, "3.6.16", null, revisions.getOrDefault(e.getKey(), REVISION),
          REVISION, new DatabaseSize(64L << 20, 32L << 20))).toList();
    }

    ClusterView view(List<EtcdAlarm> alarms) {
      Map<Long, MemberHash> read = new HashMap<>();
      ids.forEach((name, id) -> {
        if (hashes.containsKey(name)) {
          read.put(id, new MemberHash(id, revisions.getOrDefault(name, REVISION), COMPACTED, hashes.get(name)));
        }
      });
      return new ClusterView(1, ids.values().iterator().next(), members(), Optional.of(alarms)).withHashes(read);
    }

    /**
     * Takes the recovery's steps until it disarms, replacing members as asked; checks each replacement is of a
     * member as etcd lists it now, and that the alarms disarmed are the ones raised.
     *
     * @return the members replaced, in order
     */
    List<String> recover(List<EtcdAlarm> alarms) {
      List<String> replaced = new ArrayList<>();
      for (int pass = 0; pass <= ids.size(); pass++) {
        DatabaseStep step = CorruptionRecovery.next(view(alarms)).orElseThrow();
        if (step instanceof DatabaseStep.Disarm disarm) {
          assertThat(disarm.alarms()).containsExactlyElementsOf(alarms);
          return replaced;
        }
        assertThat(step).as(DatabaseStep.describe(step)).isInstanceOf(DatabaseStep.ReplaceMember.class);
        DatabaseStep.ReplaceMember replace = (DatabaseStep.ReplaceMember) step;
        assertThat(ids.get(replace.member())).as("the member as etcd lists it now").isEqualTo(replace.id());
        replaced.add(replace.member());
        replace(replace.member());
      }
      throw new AssertionError("never disarmed; replaced " + replaced);
    }
  }
}
