package dev.quorum.cluster;

import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.EtcdClusterClient;
import dev.quorum.etcd.EtcdIds;
import dev.quorum.etcd.LearnerPromotion;
import dev.quorum.membership.MembershipPlanner.Operation;
import dev.quorum.membership.MembershipPlanner.Step;
import dev.quorum.membership.MembershipPlanner;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.specs.MembersConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Carries out the one membership step {@link dev.quorum.membership.MembershipPlanner} decided: through the etcd API
 * (remove, add a learner, promote, move leadership) or Kubernetes (the members' records; a departed member's pod and
 * claims). What etcd refuses for now (a removal while the cluster settles, a promotion before the learner caught up)
 * is not a failure: the step is decided again on the next pass.
 */
final class MembershipSteps {

  private static final Logger LOG = Logger.getLogger(MembershipSteps.class);

  private final ChildResources children;
  private final ClusterViewSource etcd;
  private final ClusterEvents events;
  private final StepFailpoint haltAfterStep;
  private final RepeatedRefusals refusals = new RepeatedRefusals();

  MembershipSteps(ChildResources children, ClusterViewSource etcd, ClusterEvents events,
      Optional<String> haltAfterStep) {
    this.haltAfterStep = new StepFailpoint("quorum.membership.halt-after-step", haltAfterStep);
    this.children = children;
    this.etcd = etcd;
    this.events = events;
  }

  /** @return why the step waits, if it does; empty once it was done (or there was none) */
  Optional<String> apply(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      List<PersistentVolumeClaim> claims, Optional<ClusterView> etcd, Step step) {
    try {
      if (step instanceof Step.Wait wait) {
        refusals.cleared(model.key());
        return Optional.of(wait.reason());
      }
      if (step instanceof Step.Record record) {
        writeRecords(model, records.with(record.member(), record.bootstrap()));
        done(model, "MemberRecorded", record.member() + " is on record to join the cluster as a learner: "
            + record.bootstrap().initialCluster());
      } else if (step instanceof Step.Remove remove) {
        change(model, pods, etcd, (client, endpoints, reading) -> {
          client.removeMember(endpoints, reading, remove.id());
          return true;
        });
        done(model, "MemberRemoved", remove.operation() == Operation.RemoveMember
            ? remove.member() + " (" + EtcdIds.toHex(remove.id()) + ") is removed from the cluster: the size is "
                + model.size()
            : remove.member() + " lost its data: its old entry " + EtcdIds.toHex(remove.id())
                + " is removed from the cluster, so it can rejoin as a new member");
      } else if (step instanceof Step.AddLearner add) {
        change(model, pods, etcd, (client, endpoints, reading) -> client.addLearner(endpoints, reading, add.peerUrl()));
        done(model, "MemberAdded", add.member() + " is added as a learner at " + add.peerUrl());
      } else if (step instanceof Step.Promote promote) {
        boolean promoted = change(model, pods, etcd, (client, endpoints, reading) -> {
          try {
            client.promoteLearner(endpoints, reading, promote.id());
            return true;
          } catch (LearnerPromotion.NotCaughtUp e) {
            return false;
          }
        });
        if (!promoted) {
          // etcd's "not yet" while the learner catches up is progress, not a refusal
          refusals.cleared(model.key());
          return Optional.of(promote.member() + " is a learner catching up; it is promoted once etcd agrees");
        }
        done(model, "MemberPromoted", promote.member() + " caught up and is a voting member");
      } else if (step instanceof Step.MoveLeader move) {
        moveLeader(model, pods, etcd, move.member(), move.toMember(), move.toId(), move.member() + " can leave");
      } else if (step instanceof Step.Discard discard) {
        deletePodAndClaims(pods, claims, discard.member());
        done(model, "MemberDiscarded", discard.why() + ": its pod and data are deleted, so it is replaced by a new"
            + " member");
      } else if (step instanceof Step.Retire retire) {
        Optional<String> stopping = retire(model, records, pods, claims, retire.member());
        if (stopping.isPresent()) {
          return stopping;
        }
        done(model, "MemberRetired", retire.member() + " left the cluster: its " + (model.staticPods()
            ? "static pod manifest" : "pod, volume claim") + " and record are deleted");
      }
      return Optional.empty();
    } catch (RuntimeException e) {
      LOG.infof("%s: %s waits: %s", model.key(), step, e.getMessage());
      String refusal = String.valueOf(e.getMessage());
      refusals.refused(model.key(), MembershipPlanner.describe(step), refusal, Instant.now()).ifPresent(r -> {
        LOG.warnf("%s: %s", model.key(), r.message());
        events.warning(model.resource(), Reasons.MEMBERSHIP_STEP_REFUSED, r.message());
      });
      return Optional.of("the membership change of " + step.member() + " waits: " + refusal);
    }
  }

  /** A step refused the same way for a while, if one is; reported in the status. */
  Optional<RepeatedRefusals.Refusal> repeatedRefusal(EtcdClusterModel model) {
    return refusals.current(model.key(), Instant.now());
  }

  /** No step was due this pass: a refusal counted before is no longer in a row. */
  void settled(EtcdClusterModel model) {
    refusals.cleared(model.key());
  }

  /**
   * Asks the leader {@code from} to hand leadership to voter {@code to}; an event says so, and {@code so} why. Throws
   * when etcd refuses or no leader can be asked.
   */
  void moveLeader(EtcdClusterModel model, List<Pod> pods, Optional<ClusterView> etcd, String from, String to,
      long toId, String so) {
    change(model, pods, etcd, (client, endpoints, reading) -> {
      client.moveLeader(endpoints, reading, toId);
      return true;
    });
    done(model, Reasons.LEADER_MOVED, "leadership moved from " + from + " to " + to + ", so " + so);
  }

  /**
   * A member that left etcd: its pod (which would only crash-loop, removed as it is) and its claims go first, its
   * record last, so a crash in between leaves it departing and this is done again. Its data is of no further use:
   * etcd refuses a removed member's data, so a later scale-up must start that ordinal empty. A static pod's manifest
   * goes, and its record stays until the kubelet has stopped it: the record keeps the node agent on its node.
   *
   * @return why the record stays for now, if it does
   */
  private Optional<String> retire(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      List<PersistentVolumeClaim> claims, String member) {
    if (model.staticPods()) {
      children.delete(ConfigMap.class, model.namespace(), model.staticPod().manifestConfigMap(member));
      if (pods.stream().anyMatch(p -> member.equals(p.getMetadata().getName()))) {
        return Optional.of(member + " left the cluster; its record stays until its node's kubelet has stopped its"
            + " static pod");
      }
    } else {
      deletePodAndClaims(pods, claims, member);
    }
    if (records.of(member).isPresent() || records.unreadable().containsKey(member)) {
      writeRecords(model, records.without(member));
    }
    return Optional.empty();
  }

  /**
   * A pod already being deleted is deleted for good (no grace): the member was discarded before and its node never
   * confirmed, so its data is given up already and nothing of it may hold the member's name any longer.
   */
  private void deletePodAndClaims(List<Pod> pods, List<PersistentVolumeClaim> claims, String member) {
    pods.stream().filter(p -> member.equals(p.getMetadata().getName())).forEach(pod -> {
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        children.deleteNow(pod);
      } else {
        children.delete(pod);
      }
    });
    claims.stream().filter(c -> EtcdClusterModel.isClaimOf(c.getMetadata().getName(), member))
        .filter(c -> c.getMetadata().getDeletionTimestamp() == null)
        .forEach(children::delete);
  }

  private void writeRecords(EtcdClusterModel model, MemberBootstrapRecords next) {
    children.apply(List.of(MembersConfigMapBuilder.build(model, next)));
  }

  /** A call through the etcd API with the members' client URLs and this pass's reading, which choose who is asked. */
  @FunctionalInterface
  private interface EtcdChange<T> {
    T apply(EtcdClusterClient client, Map<String, String> endpoints, ClusterView reading);
  }

  private <T> T change(EtcdClusterModel model, List<Pod> pods, Optional<ClusterView> etcd, EtcdChange<T> call) {
    ClusterView reading = etcd.orElseThrow(() -> new IllegalStateException("no member answered just now"));
    return this.etcd.withClient(model, pods, (client, endpoints) -> call.apply(client, endpoints, reading))
        .orElseThrow(() -> new IllegalStateException("no member runs to ask"));
  }

  private void done(EtcdClusterModel model, String reason, String message) {
    refusals.cleared(model.key());
    LOG.infof("%s: %s", model.key(), message);
    events.normal(model.resource(), reason, message);
    haltAfterStep.after(reason);
  }
}
