package dev.quorum.cluster;

import dev.quorum.model.Annotations;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.PodReadiness;
import dev.quorum.specs.MemberClaimBuilder;
import dev.quorum.specs.MemberPodBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Pure: decides what to do with the member pods and claims now. Missing claims and pods are created at once
 * (a missing member adds no risk); a pod that runs an outdated spec is replaced one at a time and only while
 * no member is missing: a member that is not ready first (while the others keep a quorum ready), then ready
 * ones only while every member is ready, followers first and the leader last, so a roll never costs more than
 * the one member it restarts and at most one leader election.
 */
public final class MemberRollout {

  /**
   * @param replace a pod to delete now, to be recreated with the current spec; at most one
   * @param waiting why outdated members are not replaced yet; empty when nothing waits
   */
  public record Plan(List<PersistentVolumeClaim> createClaims, List<Pod> createPods, Optional<Replacement> replace,
      Optional<String> waiting) {

    public boolean isEmpty() {
      return createClaims.isEmpty() && createPods.isEmpty() && replace.isEmpty();
    }
  }

  /** @param evict through the Eviction API (the disruption budget may refuse), rather than a plain delete */
  public record Replacement(Pod pod, String reason, String message, boolean evict) {}

  private MemberRollout() {}

  /** A plan that counts a member ready by its pod alone (what reaching it adds is not known, or not needed). */
  public static Plan plan(EtcdClusterModel model, List<Pod> pods, List<PersistentVolumeClaim> claims,
      Optional<String> leader, boolean formed) {
    return plan(model, pods, claims, leader, formed, Optional.empty());
  }

  /**
   * @param leader the member etcd reports as leader, if known
   * @param formed whether the cluster has ever formed; before that no member holds data worth keeping
   * @param serving the members the operator reached that follow a leader, when any member answered it: a member
   *     counts as ready for the roll only once its pod is ready and the operator reaches it too. A restarted member's
   *     pod can be ready seconds before its name resolves for the operator; restarting the next one then would leave
   *     the operator seeing one member of three, and reporting a quorum lost that etcd still has
   */
  public static Plan plan(EtcdClusterModel model, List<Pod> pods, List<PersistentVolumeClaim> claims,
      Optional<String> leader, boolean formed, Optional<Set<String>> serving) {
    Map<String, Pod> podByName = byName(pods);
    Map<String, PersistentVolumeClaim> claimByName = byName(claims);
    List<PersistentVolumeClaim> createClaims = new ArrayList<>();
    List<Pod> createPods = new ArrayList<>();
    List<String> waits = new ArrayList<>();
    for (Member member : model.members()) {
      Optional<PersistentVolumeClaim> claim = MemberClaimBuilder.build(model, member);
      PersistentVolumeClaim existingClaim = claim.map(c -> claimByName.get(c.getMetadata().getName())).orElse(null);
      if (claim.isPresent() && existingClaim == null && podByName.containsKey(member.name())) {
        // the claim went while its pod still goes (the claim is let go once the pod has stopped): the member's data is
        // gone, and a new claim now would bring it back as itself, empty, which etcd refuses; the claim comes with the
        // member's next pod, once the membership change the lost data calls for is decided
        waits.add(member.name() + " waits for its pod to go with its volume claim");
        continue;
      } else if (claim.isPresent() && existingClaim == null) {
        createClaims.add(claim.get());
      } else if (existingClaim != null && terminating(existingClaim)) {
        // a pod created now would bind the claim that is going away
        waits.add(member.name() + " waits for its old volume claim to be deleted");
        continue;
      }
      if (!podByName.containsKey(member.name())) {
        createPods.add(MemberPodBuilder.build(model, member));
      }
    }
    Optional<Replacement> replace = endedPod(model, podByName);
    List<Member> outdated = outdated(model, podByName, leader);
    if (replace.isEmpty() && !outdated.isEmpty()) {
      Optional<String> unsafe = unsafeToRoll(model, podByName, claimByName, createPods, formed);
      if (unsafe.isPresent()) {
        waits.add("the roll waits: " + unsafe.get());
      } else {
        replace = nextToRoll(model, podByName, outdated, leader, formed, serving, waits);
      }
    }
    Optional<String> waiting = waits.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", waits));
    return new Plan(createClaims, createPods, replace, waiting);
  }

  /**
   * A member that is not ready serves nothing, so it goes first (a spec that broke it can only be fixed by
   * replacing it), as long as the others keep a quorum ready. Ready members go only while every member is
   * ready, by eviction so the disruption budget has the last word.
   */
  private static Optional<Replacement> nextToRoll(EtcdClusterModel model, Map<String, Pod> podByName,
      List<Member> outdated, Optional<String> leader, boolean formed, Optional<Set<String>> serving,
      List<String> waits) {
    // broken: its pod is not ready; a member whose pod is ready but the operator does not reach yet is not broken (it
    // restarts as any ready one, through the budget and after handing leadership over), but it is not counted ready
    List<String> podNotReady = model.members().stream().map(Member::name)
        .filter(name -> !PodReadiness.ready(podByName.get(name))).toList();
    List<String> notReady = model.members().stream().map(Member::name)
        .filter(name -> podNotReady.contains(name) || serving.filter(reached -> !reached.contains(name)).isPresent())
        .toList();
    Optional<Member> brokenFirst = outdated.stream().filter(m -> podNotReady.contains(m.name())).findFirst();
    if (brokenFirst.isPresent()) {
      int othersReady = model.size() - notReady.size();
      if (formed && othersReady < model.quorum()) {
        waits.add(String.format("the roll waits: only %d other members are ready, restarting %s now would leave"
            + " fewer than the quorum of %d", othersReady, brokenFirst.get().name(), model.quorum()));
        return Optional.empty();
      }
      return Optional.of(replacement(model, outdated, brokenFirst.get(), podByName, "it is not ready", false));
    }
    if (!notReady.isEmpty()) {
      waits.add("the roll waits: every member must be ready first (not ready: " + notReady.stream()
          .map(name -> PodReadiness.ready(podByName.get(name)) ? name + ", whose pod is ready but the operator does"
              + " not reach it yet" : name).collect(Collectors.joining(", ")) + ")");
      return Optional.empty();
    }
    Member next = outdated.get(0);
    return Optional.of(replacement(model, outdated, next, podByName,
        leader.filter(next.name()::equals).isPresent() ? "it leads, so it goes last" : null, true));
  }

  private static Replacement replacement(EtcdClusterModel model, List<Member> outdated, Member next,
      Map<String, Pod> podByName, String why, boolean evict) {
    int updated = model.size() - outdated.size();
    return new Replacement(podByName.get(next.name()), Reasons.ROLLING_UPDATE, String.format(
        "restarting %s with the current spec (%d of %d members updated%s)", next.name(), updated, model.size(),
        why == null ? "" : "; " + why), evict);
  }

  /** Members whose pod runs an outdated spec, in the order they are replaced: followers by ordinal, leader last. */
  public static List<Member> outdated(EtcdClusterModel model, List<Pod> pods, Optional<String> leader) {
    return outdated(model, byName(pods), leader);
  }

  static List<Member> outdated(EtcdClusterModel model, Map<String, Pod> podByName, Optional<String> leader) {
    return model.members().stream()
        .filter(m -> podByName.containsKey(m.name()) && !terminating(podByName.get(m.name())))
        .filter(m -> !Objects.equals(shapeHash(podByName.get(m.name())), MemberPodBuilder.shapeHash(model, m)))
        .sorted(Comparator.comparing((Member m) -> leader.filter(m.name()::equals).isPresent())
            .thenComparing(Member::ordinal, Comparator.reverseOrder()))
        .toList();
  }

  /** Why no member may be replaced now, whichever it is; empty when a replacement may be considered. */
  private static Optional<String> unsafeToRoll(EtcdClusterModel model, Map<String, Pod> podByName,
      Map<String, PersistentVolumeClaim> claimByName, List<Pod> creating, boolean formed) {
    if (formed && model.ephemeral()) {
      // a restarted pod comes back with an empty data directory; membership will replace such members through
      // etcd (remove, then add as a learner), never by a restart
      return Optional.of("members of a cluster with ephemeral storage keep their data only while their pod lives,"
          + " so they are not restarted to apply a new spec");
    }
    List<String> missing = model.members().stream().map(Member::name)
        .filter(name -> !podByName.containsKey(name) || terminating(podByName.get(name)))
        .toList();
    if (!missing.isEmpty() || !creating.isEmpty()) {
      return Optional.of("a member is being (re)created: " + String.join(", ", missing));
    }
    List<String> claimsGoing = model.members().stream()
        .filter(m -> claimByName.containsKey(model.claimName(m)) && terminating(claimByName.get(model.claimName(m))))
        .map(Member::name).toList();
    if (!claimsGoing.isEmpty()) {
      return Optional.of("the volume claims of " + String.join(", ", claimsGoing) + " are being deleted");
    }
    return Optional.empty();
  }

  /** A pod that ended (evicted, or failed for good) never runs again: it is replaced, whatever else happens. */
  private static Optional<Replacement> endedPod(EtcdClusterModel model, Map<String, Pod> podByName) {
    return model.members().stream()
        .map(m -> podByName.get(m.name()))
        .filter(Objects::nonNull)
        .filter(p -> !terminating(p) && p.getStatus() != null
            && ("Failed".equals(p.getStatus().getPhase()) || "Succeeded".equals(p.getStatus().getPhase())))
        .findFirst()
        .map(p -> new Replacement(p, Reasons.MEMBER_POD_ENDED, String.format("replacing pod %s, which ended (%s%s)",
            p.getMetadata().getName(), p.getStatus().getPhase(),
            p.getStatus().getReason() != null ? ": " + p.getStatus().getReason() : ""), false));
  }

  static String shapeHash(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(Annotations.SHAPE_HASH);
  }

  static boolean terminating(HasMetadata object) {
    return object.getMetadata().getDeletionTimestamp() != null;
  }

  private static <T extends HasMetadata> Map<String, T> byName(List<T> objects) {
    return objects.stream().collect(Collectors.toMap(o -> o.getMetadata().getName(), Function.identity(), (a, b) -> a));
  }
}
