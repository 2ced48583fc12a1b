package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.api.v1alpha1.MemberStatus;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.EtcdAlarm;
import dev.quorum.etcd.MemberView;
import dev.quorum.metrics.ClusterHealth;
import dev.quorum.model.BackendQuota;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A pass's observation and the status it wrote, as the values of the cluster's health series (pure). The series say
 * what the status says (ready members, fault tolerance, leader, alarms, operation), plus what only etcd's answers
 * hold (database sizes, Raft lag), so a dashboard and {@code kubectl get} never disagree.
 */
final class HealthReadings {

  private HealthReadings() {}

  static ClusterHealth of(Observation observation, EtcdClusterStatus status) {
    Optional<ClusterView> etcd = observation.etcd();
    Map<String, Integer> alarms = new LinkedHashMap<>();
    for (EtcdAlarm.Type type : EtcdAlarm.Type.values()) {
      // from the status: the alarms read now, or kept from the last reading while etcd does not answer
      alarms.put(type.name(), (int) status.getAlarms().stream().filter(a -> type.name().equals(a.getType())).count());
    }
    return new ClusterHealth(
        observation.cluster().getMetadata().getNamespace(),
        observation.cluster().getMetadata().getName(),
        observation.cluster().getMetadata().getUid(),
        observation.model().size(),
        status.getReadyMembers(),
        etcd.map(view -> OptionalInt.of((int) view.members().stream().filter(m -> !m.learner()).count()))
            .orElse(OptionalInt.empty()),
        etcd.map(view -> OptionalInt.of((int) view.members().stream().filter(MemberView::learner).count()))
            .orElse(OptionalInt.empty()),
        status.getFaultTolerance() == null ? 0 : status.getFaultTolerance(),
        Optional.ofNullable(status.getLeader()),
        BackendQuota.bytes(observation.cluster()),
        alarms,
        Optional.ofNullable(status.getOperation()).map(operation -> operation.getType()),
        observation.tls().map(TlsCertificates::expires),
        observation.tls().flatMap(TlsCertificates::caExpires),
        observation.reconcileError().isPresent(),
        members(status.getMembers(), etcd));
  }

  private static List<ClusterHealth.Member> members(List<MemberStatus> members, Optional<ClusterView> etcd) {
    Optional<MemberView> leader = etcd.flatMap(ClusterView::leader).filter(MemberView::reachable);
    return members.stream().map(member -> {
      Optional<MemberView> view = etcd.flatMap(v -> v.members().stream()
          .filter(m -> m.idHex().equals(member.getId())).findFirst());
      Optional<MemberView> answered = view.filter(MemberView::reachable);
      Optional<MemberView> sized = answered.filter(m -> m.database().known());
      return new ClusterHealth.Member(member.getName(),
          view.map(MemberView::healthy).orElse(false),
          member.isLeader(),
          Boolean.TRUE.equals(member.getLearner()),
          sized.map(m -> OptionalLong.of(m.database().bytes())).orElse(OptionalLong.empty()),
          sized.map(m -> OptionalLong.of(m.database().inUseBytes())).orElse(OptionalLong.empty()),
          answered.flatMap(m -> leader.map(l -> OptionalLong.of(Math.max(0, l.raftIndex() - m.raftIndex()))))
              .orElse(OptionalLong.empty()));
    }).toList();
  }
}
