package dev.quorum.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.membership.FaultMatrix.Healed;
import dev.quorum.membership.FaultMatrix.Position;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.ClientServiceWriter;
import dev.quorum.testing.ClusterStatusWatch;
import dev.quorum.testing.MembershipClusters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Self-healing on the rig, for every kind of fault a member's node can suffer (those that cost a member its data at two
 * places, member 0 among them; see {@link #faults()}), in a 3- and a 5-member cluster healing side by side, while a
 * client writes through the client Service. Then two members of five lost one after the other, and a member cut off from the others (the operator killed
 * after each step of a replacement is {@link MemberReplacementIT}'s). Which ordinal, learner and leader stand where in every other case is
 * shown exhaustively by the pure tests ({@code MembershipPlannerTest}, {@code MemberTargetsTest}).
 */
// alone: heal times and outages are measured: nothing else may compete for the two cores
@Isolated
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultMatrixIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  /** A member broken for 20 s is replaced: the broken case's deadline, and what a cut must heal within. */
  static final Duration REPLACE_BROKEN_AFTER = Duration.ofSeconds(20);
  static final Map<String, String> OPERATOR_ENV = Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s",
      "QUORUM_MEMBERSHIP_REPLACE_BROKEN_AFTER", REPLACE_BROKEN_AFTER.toSeconds() + "s");
  static OperatorProcess operator;
  static FaultMatrix matrix;

  @BeforeAll
  static void operator() {
    RIG.installQuorumCrds();
    operator = RIG.startOperatorProcess("fault-matrix", OPERATOR_ENV);
    matrix = new FaultMatrix(RIG.rig(), RIG.namespace(), () -> operator);
  }

  @AfterAll
  static void stopOperator() {
    try {
      if (matrix != null && operator != null && operator.isAlive()) {
        matrix.deleteClusters();
      }
    } finally {
      if (operator != null) {
        operator.close();
      }
    }
  }

  /**
   * Each kind of fault on the rig, where it matters most: the faults that cost a member its data at member 0 (where
   * healing once broke) and at the leader or the highest ordinal; the others once each at member 0, the highest
   * ordinal and the leader. Every member and leader position for every fault is the pure tests' to show
   * ({@code HealingSimulationTest}); the rig shows each kind of fault on real nodes.
   */
  static Stream<Arguments> faults() {
    return Stream.of(
        Arguments.of(MemberFault.EPHEMERAL_POD_DELETED, Position.MEMBER_0),
        Arguments.of(MemberFault.EPHEMERAL_POD_DELETED, Position.LEADER),
        Arguments.of(MemberFault.POD_AND_CLAIM_DELETED, Position.MEMBER_0),
        Arguments.of(MemberFault.POD_AND_CLAIM_DELETED, Position.HIGHEST),
        Arguments.of(MemberFault.POD_DELETED, Position.LEADER),
        Arguments.of(MemberFault.PROCESS_KILLED, Position.HIGHEST),
        Arguments.of(MemberFault.BROKEN_PAST_THE_DEADLINE, Position.MEMBER_0));
  }

  @ParameterizedTest(name = "{0} at {1}")
  @MethodSource("faults")
  @Order(1)
  void eachKindOfFaultHeals(MemberFault fault, Position position) throws Exception {
    inBothSizes(fault, position);
  }

  /**
   * Two members of five lose their data one after the other, the second while the first is being replaced: both come
   * back, one at a time, and the cluster never drops below quorum (Available throughout, writes served).
   */
  @Test
  @Order(4)
  void twoMembersLostOneAfterTheOtherComeBackOneAtATime() throws Exception {
    String cluster = matrix.cluster(5, true);
    String first = matrix.member(cluster, 5, Position.MEMBER_0);
    String second = matrix.member(cluster, 5, Position.LEADER);
    Map<String, String> ids = matrix.memberIds(cluster);
    AtomicBoolean belowQuorum = new AtomicBoolean();
    ClusterStatusWatch watch = new ClusterStatusWatch(RIG.client(), RIG.namespace(), cluster, status -> {
      if (status.condition(ConditionTypes.AVAILABLE).map(c -> "False".equals(c.getStatus())).orElse(false)) {
        belowQuorum.set(true);
      }
    });
    ClientServiceWriter writer = new ClientServiceWriter(RIG.client(), RIG.namespace(), cluster + "-client",
        FaultMatrix.WRITE_EVERY);
    try {
      MemberFault.EPHEMERAL_POD_DELETED.inflict(matrix.faults(), RIG.namespace(), first);
      // the first is being replaced: its old entry is gone from etcd
      await(first + " being replaced").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
          .until(() -> !ids.get(first).equals(matrix.memberIds(cluster).getOrDefault(first, ids.get(first))));
      MemberFault.EPHEMERAL_POD_DELETED.inflict(matrix.faults(), RIG.namespace(), second);

      matrix.awaitHealthy(cluster, 5, FaultMatrix.HEAL_WITHIN);
      writer.stopAndAssertKept(FaultMatrix.LONGEST_ACCEPTABLE_OUTAGE);
    } finally {
      writer.close();
      watch.close();
    }
    Map<String, String> after = matrix.memberIds(cluster);
    assertThat(after.get(first)).isNotEqualTo(ids.get(first));
    assertThat(after.get(second)).isNotEqualTo(ids.get(second));
    assertThat(belowQuorum).as("the cluster stayed Available throughout").isFalse();
    assertThat(MembershipClusters.reasons(RIG.client(), RIG.namespace(), cluster))
        .filteredOn("MemberPromoted"::equals).hasSizeGreaterThanOrEqualTo(2);
  }

  /**
   * A member cut off from the others (its traffic to and from them dropped) is reported not ready with a reason, a
   * new leader is elected when it led, and once the cut heals, within the replace deadline, it rejoins with its data:
   * the same member, the same pod, no restart.
   */
  @ParameterizedTest(name = "the {0}")
  @EnumSource(value = Position.class, names = {"LEADER", "MEMBER_0"})
  @Order(5)
  void aMemberCutOffRejoinsWithItsDataOnceTheCutHeals(Position position) throws Exception {
    List<Callable<Healed>> cases = new ArrayList<>();
    for (int size : List.of(3, 5)) {
      cases.add(() -> matrix.cutOffAndHeal(matrix.cluster(size, false), size, position, REPLACE_BROKEN_AFTER));
    }
    FaultMatrix.concurrently(cases);
  }

  private void inBothSizes(MemberFault fault, Position position) throws Exception {
    List<Callable<Healed>> cases = new ArrayList<>();
    for (int size : List.of(3, 5)) {
      cases.add(() -> matrix.inflict(matrix.cluster(size, fault.ephemeral()), size, fault, position));
    }
    for (Healed healed : FaultMatrix.concurrently(cases)) {
      assertThat(healed.timeToHeal()).isLessThan(FaultMatrix.HEAL_WITHIN);
    }
  }
}
