package dev.quorum.recovery;

import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.membership.MembershipPlanner;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrap;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.specs.EtcdArgs;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pure: the next step of a recovery from the best survivor, etcd's documented way back from a lost quorum: the
 * survivor restarts once with {@code --force-new-cluster} (a one-member cluster of its own data, every other member
 * dropped from the membership), restarts again without it, and the other members come back as new, empty members
 * through the membership planner, learner first and one at a time, as for any member whose data is gone.
 *
 * <p>Every step is recognised from the world (the records, the pods' command lines, the claims set aside and etcd's
 * member list), so an operator that dies halfway is followed by one that finishes. In StaticPod mode the same steps
 * have the node agents' verbs: a member stops when its manifest's ConfigMap goes, the survivor restarts when its
 * manifest is written anew, and the pods are the kubelets' mirror pods as they run. Invariants:
 *
 * <ul>
 *   <li>the survivor starts with {@code --force-new-cluster} only while no other member has a pod, so a quorum of old
 *       members can never form beside it, and only one member is ever forced;
 *   <li>no other member gets a pod while a claim it had when the recovery began exists: its old data is set aside,
 *       never served next to the recovered member (in StaticPod mode a member's data is on its node: it gets no
 *       manifest until it is added again, and then a fresh data directory, the old one left where it is);
 *   <li>the set-aside claims are deleted only once the survivor runs alone and without the flag, so an etcd restart
 *       of the survivor can never drop members added after it.
 * </ul>
 */
public final class SurvivorRecovery {

  /**
   * What the recovery was asked and decided when it began (kept by the recovery's status).
   *
   * @param setAside the uids of the claims the other members had then: their data is not served again
   */
  public record Request(String survivor, Set<String> setAside) {}

  public sealed interface Step {

    /**
     * Stop every other member: their pods go (at once: their data is set aside, no shutdown is owed to it), or in
     * StaticPod mode the ConfigMaps of their manifests (their node agents remove the files, the kubelets the pods).
     */
    record StopOthers(List<Pod> pods, List<String> manifests) implements Step {}

    /** Put {@code --force-new-cluster} on the survivor's record (its pod is replaced next, to start with it). */
    record Force(String survivor, MemberBootstrap forced) implements Step {}

    /** Take the flag off the survivor's record, once it runs alone. */
    record Unforce(String survivor, MemberBootstrap unforced) implements Step {}

    /**
     * Replace the survivor's pod, or in StaticPod mode write its manifest anew: it carries a command line its record no
     * longer asks for.
     */
    record RestartSurvivor(Pod pod, String why) implements Step {}

    /** Delete the claims set aside: the other members then come back empty, through the membership planner. */
    record SetAside(List<PersistentVolumeClaim> claims) implements Step {}

    /** Nothing to do but wait, for the reason given. */
    record Wait(String reason) implements Step {}

    /** The survivor's data is gone too: this way back is closed. */
    record Fail(String reason) implements Step {}

    /**
     * The survivor runs alone without the flag and no old claim is left: the recovery hands over (for good: the caller
     * records it) to the membership planner, which re-adds the rest.
     */
    record Rejoin() implements Step {}
  }

  /** The step, and the members that get no pod meanwhile. */
  public record Plan(Step step, Set<String> holdBack) {}

  private SurvivorRecovery() {}

  /**
   * @param pods the members' pods, in StaticPod mode their mirror pods as they run (whatever manifest they run)
   * @param manifests StaticPod mode: the members whose manifest's ConfigMap exists; none otherwise
   */
  public static Plan next(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      Set<String> manifests, List<PersistentVolumeClaim> claims, Optional<ClusterView> etcd, Request request) {
    Set<String> others = model.members().stream().map(Member::name).filter(n -> !n.equals(request.survivor()))
        .collect(Collectors.toSet());
    List<PersistentVolumeClaim> setAside = claims.stream()
        .filter(c -> request.setAside().contains(c.getMetadata().getUid())).toList();
    Optional<Member> survivor = model.members().stream().filter(m -> m.name().equals(request.survivor())).findFirst();
    Optional<MemberBootstrap> record = records.of(request.survivor());
    if (survivor.isEmpty() || record.isEmpty()) {
      return new Plan(new Step.Fail("the survivor " + request.survivor() + " is no longer a member on record"),
          others);
    }
    Optional<Pod> survivorPod = pods.stream().filter(p -> p.getMetadata().getName().equals(request.survivor()))
        .findFirst();
    if (survivorPod.isEmpty() && !model.staticPods() && claims.stream().noneMatch(c -> c.getMetadata().getName()
        .equals(model.claimName(survivor.get())))) {
      return new Plan(new Step.Fail("the survivor " + request.survivor() + "'s claim "
          + model.claimName(survivor.get()) + " is gone, and its data with it: recover from a backup"), others);
    }
    List<Pod> othersRunning = pods.stream().filter(p -> others.contains(p.getMetadata().getName())).toList();
    List<String> othersManifests = manifests.stream().filter(others::contains).sorted().toList();
    if (!othersRunning.isEmpty() || !othersManifests.isEmpty()) {
      // a mirror pod is the kubelet's to remove: it goes once the manifest has
      List<Pod> toStop = model.staticPods() ? List.of() : othersRunning.stream()
          .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
      return new Plan(toStop.isEmpty() && othersManifests.isEmpty()
          ? new Step.Wait("waiting for the other members' pods to stop: " + names(othersRunning)
              + (model.staticPods() ? " (a node agent removes a manifest, and its kubelet the pod; a node that is"
                  + " down keeps its pod until it is back, or its Node is deleted)" : ""))
          : new Step.StopOthers(toStop, othersManifests), others);
    }
    Optional<MemberView> entry = etcd.flatMap(view -> MembershipPlanner.entryOf(view, survivor.get()))
        .filter(MemberView::reachable);
    boolean alone = entry.isPresent() && runsAlone(etcd.get(), entry.get());
    boolean podForces = survivorPod.map(EtcdArgs::forcesNewCluster).orElse(false);
    // an ended pod (evicted, failed) never runs again: it is replaced like a running one
    boolean podReplaceable = survivorPod.filter(p -> p.getMetadata().getDeletionTimestamp() == null).isPresent();
    if (record.get().forceNewCluster()) {
      if (alone) {
        return new Plan(new Step.Unforce(request.survivor(), record.get().forcingNewCluster(false)), others);
      }
      if (podReplaceable && !podForces) {
        return new Plan(new Step.RestartSurvivor(survivorPod.get(), "to start with --force-new-cluster"), others);
      }
      return new Plan(new Step.Wait(request.survivor() + " starts as a one-member cluster of its own data"), others);
    }
    if (podForces) {
      // off the record, but still on the pod's command line: the pod goes before any member may join
      return new Plan(podReplaceable
          ? new Step.RestartSurvivor(survivorPod.get(), "to run without --force-new-cluster before others join")
          : new Step.Wait(request.survivor() + " restarts without --force-new-cluster"), others);
    }
    if (alone) {
      return setAside.isEmpty() ? new Plan(new Step.Rejoin(), Set.of()) : new Plan(new Step.SetAside(setAside), others);
    }
    if (entry.isPresent()) {
      // it answers with the old membership: the forced start is still to come
      return new Plan(new Step.Force(request.survivor(), record.get().forcingNewCluster(true)), others);
    }
    return new Plan(new Step.Wait("waiting for " + request.survivor() + " to answer"), others);
  }

  /**
   * Whether the survivor has been forced, or is about to be: {@code --force-new-cluster} on its record or on its pod,
   * or etcd lists it as its only voter. Until then a recovery can still be called off and the members go on as they
   * were.
   */
  public static boolean forced(EtcdClusterModel model, MemberBootstrapRecords records, List<Pod> pods,
      Optional<ClusterView> etcd, Request request) {
    Optional<Member> survivor = model.members().stream().filter(m -> m.name().equals(request.survivor())).findFirst();
    boolean alone = survivor.flatMap(m -> etcd.flatMap(view -> MembershipPlanner.entryOf(view, m)
        .filter(MemberView::reachable).filter(entry -> runsAlone(view, entry)))).isPresent();
    return alone || records.of(request.survivor()).map(MemberBootstrap::forceNewCluster).orElse(false)
        || pods.stream().filter(p -> p.getMetadata().getName().equals(request.survivor()))
            .anyMatch(EtcdArgs::forcesNewCluster);
  }

  /** etcd lists the survivor as its only voter, and the survivor answers as its leader. */
  private static boolean runsAlone(ClusterView view, MemberView survivor) {
    List<MemberView> voters = view.members().stream().filter(m -> !m.learner()).toList();
    return voters.size() == 1 && voters.get(0).id() == survivor.id() && survivor.healthy();
  }

  private static String names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).sorted().collect(Collectors.joining(", "));
  }
}
