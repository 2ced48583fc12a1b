package dev.quorum.cluster;

import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import dev.quorum.model.PodReadiness;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Restarts the one member a roll picked ({@link MemberRollout}), only if a plan made from the API server's current
 * pods picks the same one: a ready member is evicted, so the disruption budget may still refuse (a drain got there
 * first), and the leader first hands leadership to a ready member, so its restart costs no election.
 */
final class MemberReplacement {

  private static final Logger LOG = Logger.getLogger(MemberReplacement.class);

  private final ChildResources children;
  private final MembershipSteps membershipSteps;
  private final ClusterEvents events;

  MemberReplacement(ChildResources children, MembershipSteps membershipSteps, ClusterEvents events) {
    this.children = children;
    this.membershipSteps = membershipSteps;
    this.events = events;
  }

  /** @return whether a member was restarted, or leadership moved so it can be on the next pass */
  boolean replace(ClusterPass pass, MemberRollout.Replacement replacement) {
    EtcdClusterModel model = pass.model();
    List<PersistentVolumeClaim> claims = pass.claims();
    Optional<String> leader = pass.leader();
    List<Pod> live = ClusterObserver.memberPods(model, children.livePods(model.namespace(), Labels.CLUSTER,
        model.name()), model.staticPods() ? children.liveConfigMaps(model.namespace(), model.name()) : List.of());
    Optional<MemberRollout.Replacement> confirmed = MemberRollout.plan(model, live, claims, leader, pass.formed(), pass.serving())
        .replace()
        .filter(r -> Objects.equals(r.pod().getMetadata().getUid(), replacement.pod().getMetadata().getUid()));
    if (confirmed.isEmpty()) {
      return false; // the cache was behind; the next reconcile decides again
    }
    MemberRollout.Replacement step = confirmed.get();
    String member = step.pod().getMetadata().getName();
    if (step.evict() && leader.filter(member::equals).isPresent()) {
      Optional<MemberView> successor = successor(live, pass.etcd().get(), member);
      if (successor.isEmpty()) {
        // the member restarted before it may still be unknown to the operator (a new pod's name resolves a few
        // seconds after it is ready): the leader's restart waits for a voter that can take over, not an election
        LOG.infof("%s: %s leads and no other voter is healthy yet to take over; its restart waits", model.key(),
            member);
        return false;
      }
      if (moveLeadershipFrom(model, live, pass.etcd().get(), member, successor.get())) {
        return true; // restarted on the next pass, as a follower
      }
    }
    if (model.staticPods()) {
      // the kubelet restarts a static pod when its manifest changes
      StaticPodMembers.restarted(model, step.pod()).ifPresent(manifest -> children.apply(List.of(manifest)));
    } else if (step.evict() && !children.evict(step.pod())) {
      LOG.infof("%s: the disruption budget refused evicting %s for now", model.key(), member);
      return false;
    }
    if (!step.evict() && !model.staticPods()) {
      children.delete(step.pod());
    }
    LOG.infof("%s: %s", model.key(), step.message());
    events.normal(model.resource(), step.reason(), step.message());
    return true;
  }

  /** A started, healthy voter other than the leader, whose pod is ready: one that can take leadership over. */
  private static Optional<MemberView> successor(List<Pod> pods, ClusterView etcd, String leader) {
    return etcd.members().stream()
        .filter(m -> m.started() && !m.learner() && m.healthy() && !leader.equals(m.name()))
        .filter(m -> pods.stream().anyMatch(p -> m.name().equals(p.getMetadata().getName()) && PodReadiness.ready(p)))
        .findFirst();
  }

  /** Hands leadership to {@code successor} before the leader restarts; false when etcd refused. */
  private boolean moveLeadershipFrom(EtcdClusterModel model, List<Pod> pods, ClusterView etcd, String leader,
      MemberView successor) {
    try {
      membershipSteps.moveLeader(model, pods, Optional.of(etcd), leader, successor.name(), successor.id(),
          leader + " restarts as a follower");
      return true;
    } catch (RuntimeException e) {
      LOG.infof("%s: moving leadership from %s failed, it restarts as the leader: %s", model.key(), leader,
          e.getMessage());
      return false;
    }
  }
}
