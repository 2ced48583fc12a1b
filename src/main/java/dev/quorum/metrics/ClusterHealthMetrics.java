package dev.quorum.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Each EtcdCluster's health as its last reconcile pass saw it, served by Quarkus at /q/metrics (tags
 * {@code namespace}, {@code cluster}; a member's series also {@code member}). A scrape reads the last
 * {@link ClusterHealth} recorded: it never reaches etcd, and the values are as fresh as the status (the pass that
 * writes one records the other). A value nobody could read is NaN.
 * <ul>
 *   <li>{@code quorum_cluster_members_desired}, {@code quorum_cluster_members_ready}, {@code quorum_cluster_voters},
 *   {@code quorum_cluster_learners}</li>
 *   <li>{@code quorum_cluster_fault_tolerance}: members that may still fail before quorum is lost (0: at risk)</li>
 *   <li>{@code quorum_cluster_has_leader} (1 or 0), {@code quorum_cluster_leader_changes_total} (changes between
 *   passes)</li>
 *   <li>{@code quorum_cluster_quota_bytes}; {@code quorum_cluster_alarms{alarm}}: members with that alarm raised</li>
 *   <li>{@code quorum_cluster_operation{operation}}: 1 while that operation is in progress, else 0</li>
 *   <li>{@code quorum_cluster_certificate_expiry_timestamp_seconds{certificate="member"|"ca"}} (TLS clusters)</li>
 *   <li>{@code quorum_cluster_reconcile_errors_total}: passes that failed to apply the desired objects</li>
 *   <li>{@code quorum_member_up}, {@code quorum_member_leader}, {@code quorum_member_learner} (1 or 0),
 *   {@code quorum_member_database_size_bytes}, {@code quorum_member_database_in_use_bytes},
 *   {@code quorum_member_raft_index_lag} (Raft entries behind the leader)</li>
 * </ul>
 * A member's series go when it leaves the cluster; a cluster's go when it is deleted ({@link #forgetCluster}).
 */
@ApplicationScoped
public class ClusterHealthMetrics {

  static final String CLUSTER = "quorum.cluster.";
  static final String MEMBER = "quorum.member.";
  /** How many deleted clusters' uids are remembered, to ignore a pass that ends after its cluster went. */
  private static final int FORGOTTEN_KEPT = 10_000;

  private final MeterRegistry registry;
  // one lock for recording and forgetting (each is a few map operations): a deletion seen in the middle of a pass's
  // recording must not leave gauges behind that read a cluster nobody tracks
  private final Object lock = new Object();
  private final Map<Key, Tracked> clusters = new HashMap<>();
  private final Set<String> forgottenUids = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > FORGOTTEN_KEPT;
    }
  });

  public ClusterHealthMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** What a pass saw: the series read it from now on. */
  public void record(ClusterHealth health) {
    synchronized (lock) {
      if (forgottenUids.contains(health.uid())) {
        return;
      }
      Key key = new Key(health.namespace(), health.cluster());
      Tracked known = clusters.get(key);
      if (known != null && !known.uid.equals(health.uid())) {
        // deleted and created again under the same name before the deletion was seen: a new cluster, new series
        forgottenUids.add(known.uid);
        forget(key);
      }
      Tracked tracked = clusters.computeIfAbsent(key, k -> new Tracked(k, health));
      ClusterHealth before = tracked.last.getAndSet(health);
      tracked.countLeaderChange(health.leader());
      if (health.reconcileFailed()) {
        tracked.reconcileErrors.increment();
      }
      health.alarms().keySet().forEach(tracked::alarm);
      health.operation().ifPresent(tracked::operation);
      health.certificateExpires().ifPresent(x -> tracked.certificate("member", ClusterHealth::certificateExpires));
      health.caExpires().ifPresent(x -> tracked.certificate("ca", ClusterHealth::caExpires));
      health.members().forEach(member -> tracked.member(member.name()));
      before.members().stream().map(ClusterHealth.Member::name)
          .filter(name -> health.members().stream().noneMatch(m -> m.name().equals(name)))
          .forEach(tracked::dropMember);
    }
  }

  /**
   * The cluster is gone: remove every series of it, and ignore a pass of it that ends later. A deletion seen after
   * a cluster of the same name was created again leaves the new one's series alone.
   */
  public void forgetCluster(String namespace, String cluster, String uid) {
    synchronized (lock) {
      if (uid != null) {
        forgottenUids.add(uid);
      }
      Key key = new Key(namespace, cluster);
      Tracked tracked = clusters.get(key);
      if (tracked == null || uid == null || tracked.uid.equals(uid)) {
        forget(key);
      }
    }
  }

  private void forget(Key key) {
    clusters.remove(key);
    for (Meter meter : registry.getMeters()) {
      Meter.Id id = meter.getId();
      if ((id.getName().startsWith(CLUSTER) || id.getName().startsWith(MEMBER))
          && key.namespace().equals(id.getTag("namespace")) && key.cluster().equals(id.getTag("cluster"))) {
        registry.remove(meter);
      }
    }
  }

  private record Key(String namespace, String cluster) {}

  /** One cluster's meters, reading its last {@link ClusterHealth}. */
  private final class Tracked {

    final String uid;
    final Tags tags;
    final AtomicReference<ClusterHealth> last;
    final Counter reconcileErrors;
    final Counter leaderChanges;
    final Map<String, Meter.Id[]> members = new ConcurrentHashMap<>();
    final Set<String> alarms = ConcurrentHashMap.newKeySet();
    final Set<String> operations = ConcurrentHashMap.newKeySet();
    final Set<String> certificates = ConcurrentHashMap.newKeySet();
    /** The last leader seen, kept through a pass without one: a change is a different leader afterwards. */
    String lastLeader;

    Tracked(Key key, ClusterHealth first) {
      this.uid = first.uid();
      this.tags = Tags.of("namespace", key.namespace(), "cluster", key.cluster());
      this.last = new AtomicReference<>(first);
      this.lastLeader = first.leader().orElse(null);
      gauge("members.desired", "Members the spec asks for", null, h -> h.desiredMembers());
      gauge("members.ready", "Members whose pod is ready and that etcd lists", null, h -> h.readyMembers());
      gauge("voters", "Voting members in etcd's member list", null, h -> orNaN(h.voters()));
      gauge("learners", "Learners in etcd's member list", null, h -> orNaN(h.learners()));
      gauge("fault.tolerance", "Members that may still fail before quorum is lost", null, h -> h.faultTolerance());
      gauge("has.leader", "1 while the cluster has a leader", null, h -> h.leader().isPresent() ? 1 : 0);
      gauge("quota", "The database size at which etcd raises NOSPACE", "bytes", h -> h.quotaBytes());
      this.leaderChanges = Counter.builder(CLUSTER + "leader.changes")
          .description("Leader changes seen between the operator's passes").tags(tags).register(registry);
      this.reconcileErrors = Counter.builder(CLUSTER + "reconcile.errors")
          .description("Reconcile passes that failed to apply the desired objects").tags(tags).register(registry);
    }

    void countLeaderChange(Optional<String> leader) {
      if (leader.isPresent()) {
        if (lastLeader != null && !lastLeader.equals(leader.get())) {
          leaderChanges.increment();
        }
        lastLeader = leader.get();
      }
    }

    void alarm(String type) {
      if (alarms.add(type)) {
        Gauge.builder(CLUSTER + "alarms", last, ref -> ref.get().alarms().getOrDefault(type, 0))
            .description("Members with this etcd alarm raised").tags(tags).tag("alarm", type).register(registry);
      }
    }

    void operation(String type) {
      if (operations.add(type)) {
        Gauge.builder(CLUSTER + "operation", last, ref -> ref.get().operation().filter(type::equals).isPresent() ? 1 : 0)
            .description("1 while this operation is in progress").tags(tags).tag("operation", type)
            .register(registry);
      }
    }

    void certificate(String which, Function<ClusterHealth, Optional<Instant>> expires) {
      if (certificates.add(which)) {
        Gauge.builder(CLUSTER + "certificate.expiry.timestamp", last,
                ref -> expires.apply(ref.get()).map(at -> at.toEpochMilli() / 1000.0).orElse(Double.NaN))
            .description("When the certificate expires, in seconds since the epoch").baseUnit("seconds")
            .tags(tags).tag("certificate", which).register(registry);
      }
    }

    void member(String name) {
      members.computeIfAbsent(name, n -> new Meter.Id[] {
          memberGauge(n, "up", "1 while the member answers and follows a leader", null, m -> m.up() ? 1 : 0),
          memberGauge(n, "leader", "1 while the member leads", null, m -> m.leader() ? 1 : 0),
          memberGauge(n, "learner", "1 while the member is a learner", null, m -> m.learner() ? 1 : 0),
          memberGauge(n, "database.size", "The member's database file, which counts against the quota", "bytes",
              m -> orNaN(m.databaseBytes())),
          memberGauge(n, "database.in.use", "How much of the member's database file holds data", "bytes",
              m -> orNaN(m.databaseInUseBytes())),
          memberGauge(n, "raft.index.lag", "Raft entries the member is behind the leader", null,
              m -> orNaN(m.raftIndexLag()))});
    }

    void dropMember(String name) {
      Meter.Id[] ids = members.remove(name);
      if (ids != null) {
        for (Meter.Id id : ids) {
          registry.remove(id);
        }
      }
    }

    private void gauge(String name, String description, String unit, ToDoubleFunction<ClusterHealth> value) {
      Gauge.builder(CLUSTER + name, last, ref -> value.applyAsDouble(ref.get())).description(description)
          .baseUnit(unit).tags(tags).register(registry);
    }

    private Meter.Id memberGauge(String member, String name, String description, String unit,
        ToDoubleFunction<ClusterHealth.Member> value) {
      return Gauge.builder(MEMBER + name, last, ref -> ref.get().members().stream()
              .filter(m -> m.name().equals(member)).findFirst().map(value::applyAsDouble).orElse(Double.NaN))
          .description(description).baseUnit(unit).tags(tags).tag("member", member).register(registry).getId();
    }
  }

  private static double orNaN(OptionalInt value) {
    return value.isPresent() ? value.getAsInt() : Double.NaN;
  }

  private static double orNaN(OptionalLong value) {
    return value.isPresent() ? value.getAsLong() : Double.NaN;
  }
}
