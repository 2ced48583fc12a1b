package dev.quorum.cluster;

import dev.quorum.membership.MembershipPlanner;
import dev.quorum.model.Member;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pure: when a cluster is looked at again though no event arrives. Soon while members come and go; otherwise informer
 * events wake the reconciler, and the status refresh is a backstop.
 */
final class RecheckTiming {

  static final Duration RETRY_AFTER_ERROR = Duration.ofSeconds(10);
  /** While members are being created or rolled, look again soon even if no event arrives. */
  static final Duration RECHECK_WHILE_CHANGING = Duration.ofSeconds(2);
  /**
   * While a membership step is under way, sooner: etcd's own changes (a learner added, caught up, promoted) raise no
   * Kubernetes event, and each member added or removed takes several steps.
   */
  static final Duration RECHECK_WHILE_MEMBERSHIP_CHANGES = Duration.ofMillis(500);
  /**
   * StaticPod mode reads the nodes on every pass rather than watching them all (every node's status changes, for the
   * sake of a few clusters): a node labelled in or out is seen within this.
   */
  static final Duration RECHECK_NODES = Duration.ofSeconds(10);
  /**
   * A member the operator could not reach (or no member at all) while its pods run: a new pod's DNS name is answered
   * "no such host" until its record exists, and resolvers cache that answer for seconds; nothing in Kubernetes
   * changes when it starts resolving, so look again soon rather than at the status refresh.
   */
  static final Duration RECHECK_UNREACHED = Duration.ofSeconds(5);

  private RecheckTiming() {}

  static Duration after(Observation observation, PassOutcome outcome, Duration statusRefreshInterval) {
    if (observation.reconcileError().isPresent()) {
      return RETRY_AFTER_ERROR;
    }
    // one of its members starting and catching up as a learner raises no Kubernetes event either: its promotion is
    // due as soon as it has (a learner someone else added is left to its own pace)
    Set<String> peerUrls = observation.model().members().stream().map(Member::peerUrl).collect(Collectors.toSet());
    boolean learnerCatchingUp = observation.etcd().filter(s -> s.members().stream()
        .anyMatch(m -> m.learner() && m.peerURLs().stream().anyMatch(peerUrls::contains))).isPresent();
    // likewise a step of the databases' care (a compaction, a defragmentation): etcd's own, followed by no event
    if (learnerCatchingUp
        || outcome.membershipStep().filter(step -> !(step instanceof MembershipPlanner.Step.Wait)).isPresent()
        || outcome.care().filter(DatabaseCare.Outcome::acted).isPresent()) {
      return RECHECK_WHILE_MEMBERSHIP_CHANGES;
    }
    boolean changing = outcome.acted() || (observation.specProblems().isEmpty() && !observation.missingMembers().isEmpty());
    if (changing) {
      return RECHECK_WHILE_CHANGING;
    }
    Duration settled = observation.model().staticPods() && RECHECK_NODES.compareTo(statusRefreshInterval) < 0
        ? RECHECK_NODES : statusRefreshInterval;
    boolean unreached = !observation.pods().isEmpty() && observation.etcd()
        .map(view -> view.members().stream().anyMatch(member -> !member.reachable())).orElse(true);
    return unreached && RECHECK_UNREACHED.compareTo(settled) < 0 ? RECHECK_UNREACHED : settled;
  }
}
