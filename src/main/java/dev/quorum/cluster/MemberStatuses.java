package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.MemberStatus;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.MemberView;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.PodReadiness;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The members list of the status, from etcd's own view when it answered, else from the model and pods. */
final class MemberStatuses {

  private MemberStatuses() {}

  static List<MemberStatus> of(Observation observation) {
    return observation.etcd()
        .map(snapshot -> fromEtcd(snapshot, podsByName(observation.pods())))
        .orElseGet(() -> fromModel(observation.model(), podsByName(observation.pods())));
  }

  /**
   * A member is ready when it answers, follows a leader, votes, and Kubernetes agrees its pod is ready: a member
   * cut off from the majority still answers but serves nothing.
   */
  private static List<MemberStatus> fromEtcd(ClusterView snapshot, Map<String, Pod> pods) {
    return snapshot.members().stream()
        .map(m -> {
          String name = m.started() ? m.name() : nameFromPeerUrl(m);
          Pod pod = pods.get(name);
          MemberStatus status = new MemberStatus(name, m.idHex(), first(m.peerURLs()), first(m.clientURLs()), false,
              m.id() == snapshot.leaderId());
          status.setLearner(m.learner() ? Boolean.TRUE : null);
          status.setRevisionLag(snapshot.revisionLag(m).orElse(null));
          notReady(m, pod, status.getRevisionLag()).ifPresentOrElse(why -> {
            status.setReason(why.reason());
            status.setMessage(why.message());
          }, () -> status.setReady(true));
          return status;
        })
        .sorted(byOrdinal())
        .toList();
  }

  /** Why a member is not ready: a reason (one of the {@code Reasons.MEMBER_} values) and words. */
  record NotReady(String reason, String message) {}

  /**
   * Why a member is not ready, as a reason and a message; empty when it is: it answers, follows a leader, votes, and
   * Kubernetes agrees its pod is ready (a member cut off from the majority still answers but serves nothing).
   */
  static Optional<NotReady> notReady(MemberView member, Pod pod, Long revisionLag) {
    if (!member.started()) {
      return Optional.of(new NotReady(Reasons.MEMBER_NOT_STARTED,
          "added to etcd's membership; etcd has not started it yet"));
    }
    if (!member.reachable()) {
      return Optional.of(new NotReady(pod == null ? Reasons.MEMBER_NO_POD : Reasons.MEMBER_UNREACHABLE,
          (pod == null ? "its pod does not exist (being recreated or replaced); " : "") + "etcd does not answer: "
              + member.error()));
    }
    if (!member.leaderKnown()) {
      return Optional.of(new NotReady(Reasons.MEMBER_NO_LEADER, "answers but follows no leader: it is cut off from"
          + " the other members, or they have lost quorum"));
    }
    if (member.learner()) {
      return Optional.of(new NotReady(Reasons.MEMBER_LEARNER, "a learner catching up"
          + (revisionLag == null ? "" : " (" + revisionLag + " revisions behind the leader)")
          + "; it is promoted to a voting member once etcd agrees"));
    }
    if (pod != null && !PodReadiness.ready(pod)) {
      return Optional.of(new NotReady(Reasons.MEMBER_POD_NOT_READY, "etcd answers, but the pod is not ready"));
    }
    return Optional.empty();
  }

  /** Before etcd answers: the members that have a pod, with the URLs they will advertise. */
  private static List<MemberStatus> fromModel(EtcdClusterModel model, Map<String, Pod> pods) {
    return model.members().stream()
        .filter(m -> pods.containsKey(m.name()))
        .map((Member m) -> {
          boolean ready = PodReadiness.ready(pods.get(m.name()));
          MemberStatus status = new MemberStatus(m.name(), null, m.peerUrl(), m.clientUrl(), ready, false);
          if (!ready) {
            status.setReason(Reasons.MEMBER_UNREACHABLE);
            status.setMessage("no member of the cluster answers yet");
          }
          return status;
        })
        .sorted(byOrdinal())
        .toList();
  }

  /** An added but never started member has no name yet; its peer URL host starts with the pod name. */
  private static String nameFromPeerUrl(MemberView member) {
    String url = first(member.peerURLs());
    if (url == null) {
      return member.idHex();
    }
    String host = URI.create(url).getHost();
    return host == null ? member.idHex() : host.split("\\.")[0];
  }

  private static Map<String, Pod> podsByName(List<Pod> pods) {
    return pods.stream().collect(Collectors.toMap(p -> p.getMetadata().getName(), Function.identity(), (a, b) -> a));
  }

  private static Comparator<MemberStatus> byOrdinal() {
    return Comparator.comparingInt((MemberStatus m) -> PodReadiness.ordinal(m.getName()))
        .thenComparing(MemberStatus::getName);
  }

  private static String first(List<String> values) {
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
