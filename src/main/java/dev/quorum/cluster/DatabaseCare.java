package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.AlarmStatus;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.MaintenanceStatus;
import dev.quorum.etcd.ClusterView;
import dev.quorum.maintenance.NoSpaceRecovery;
import dev.quorum.maintenance.NoSpaceRecovery.Step;
import dev.quorum.model.EtcdClusterModel;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Carries out the step {@link NoSpaceRecovery} decided through the etcd API, tells the user with an event, and says how
 * far the recovery got ({@code status.maintenance}) and how it ended ({@code status.lastMaintenance}).
 */
final class DatabaseCare {

  private static final Logger LOG = Logger.getLogger(DatabaseCare.class);

  /**
   * What a pass did for the members' databases.
   *
   * @param running the recovery on record after this pass; empty once it ended
   * @param finished how it ended, when it ended in this pass
   */
  record Outcome(Step step, Optional<MaintenanceStatus> running, Optional<MaintenanceStatus> finished) {

    /** It changed something in etcd: the next pass looks again soon. */
    boolean acted() {
      return !(step instanceof Step.Wait) && !(step instanceof Step.DoesNotFit);
    }
  }

  private final ClusterViewSource etcd;
  private final ClusterEvents events;
  private final Duration defragmentTimeout;

  DatabaseCare(ClusterViewSource etcd, ClusterEvents events, Duration defragmentTimeout) {
    this.etcd = etcd;
    this.events = events;
    this.defragmentTimeout = defragmentTimeout;
  }

  /** An event for each alarm raised since the status last listed them. */
  void reportNewAlarms(ClusterPass pass) {
    List<AlarmStatus> before = Optional.ofNullable(pass.cluster().getStatus()).map(s -> s.getAlarms())
        .orElse(List.of());
    for (AlarmStatus alarm : Alarms.of(pass.etcd()).orElse(List.of())) {
      if (before.stream().noneMatch(b -> b.getType().equals(alarm.getType()) && b.getMember().equals(alarm.getMember()))) {
        events.warning(pass.cluster(), Alarms.reason(alarm), Alarms.describe(alarm));
      }
    }
  }

  Outcome apply(ClusterPass pass, Step step) {
    EtcdClusterModel model = pass.model();
    EtcdCluster cluster = pass.cluster();
    Optional<MaintenanceStatus> previous = Optional.ofNullable(cluster.getStatus()).map(s -> s.getMaintenance())
        .filter(m -> NoSpaceRecovery.TYPE.equals(m.getType()));
    ClusterView reading = pass.etcd().orElseThrow(() -> new IllegalStateException("no member answered just now"));
    String description = NoSpaceRecovery.describe(step);
    if (step instanceof Step.Compact compact) {
      call(model, pass, (client, endpoints) -> {
        client.compact(endpoints, reading, compact.revision());
        return true;
      });
      MaintenanceStatus running = new MaintenanceStatus();
      running.setType(NoSpaceRecovery.TYPE);
      running.setStartedAt(previous.map(MaintenanceStatus::getStartedAt).orElse(now()));
      running.setSizeBeforeBytes(previous.map(MaintenanceStatus::getSizeBeforeBytes).orElse(compact.sizeBeforeBytes()));
      running.setCompactedRevision(compact.revision());
      running.setMessage(description);
      done(cluster, model, Reasons.NO_SPACE_ALARM, "compacted the key history up to revision " + compact.revision()
          + "; defragmenting each member next, the leader last");
      return new Outcome(step, Optional.of(running), Optional.empty());
    }
    MaintenanceStatus running = previous.orElseGet(MaintenanceStatus::new);
    if (step instanceof Step.MoveLeader move) {
      call(model, pass, (client, endpoints) -> {
        client.moveLeader(endpoints, reading, move.toId());
        return true;
      });
      done(cluster, model, Reasons.LEADER_MOVED, "moved leadership from " + move.member() + " to " + move.toMember()
          + " to defragment " + move.member() + " as a follower");
    } else if (step instanceof Step.Defragment defragment) {
      call(model, pass, (client, endpoints) -> {
        String endpoint = Optional.ofNullable(endpoints.get(defragment.member())).orElseThrow(() ->
            new IllegalStateException(defragment.member() + " has no running pod to defragment"));
        client.defragment(endpoint, defragmentTimeout);
        return true;
      });
      List<String> defragmented = new ArrayList<>(Optional.ofNullable(running.getDefragmented()).orElse(List.of()));
      defragmented.add(defragment.member());
      running.setDefragmented(defragmented);
      done(cluster, model, Reasons.DEFRAGMENTED, "defragmented " + defragment.member() + ", which had "
          + String.format("%.1f MiB", defragment.reclaimableBytes() / (1024.0 * 1024.0)) + " of free pages");
    } else if (step instanceof Step.Disarm disarm) {
      call(model, pass, (client, endpoints) -> {
        disarm.alarms().forEach(alarm -> client.disarm(endpoints, reading, alarm));
        return true;
      });
      running.setFinishedAt(now());
      running.setSizeAfterBytes(disarm.sizeAfterBytes());
      running.setMessage(String.format("NOSPACE disarmed: the largest member database went from %.1f MiB to %.1f MiB;"
          + " the cluster takes writes again", Optional.ofNullable(running.getSizeBeforeBytes()).orElse(0L)
          / (1024.0 * 1024.0), disarm.sizeAfterBytes() / (1024.0 * 1024.0)));
      done(cluster, model, Reasons.NO_SPACE_RECOVERED, running.getMessage());
      return new Outcome(step, Optional.empty(), Optional.of(running));
    } else if (step instanceof Step.DoesNotFit doesNotFit) {
      if (!doesNotFit.message().equals(running.getMessage())) {
        events.warning(cluster, Reasons.DATA_DOES_NOT_FIT, doesNotFit.message());
      }
    }
    running.setType(NoSpaceRecovery.TYPE);
    running.setMessage(description);
    return new Outcome(step, previous.isPresent() || step instanceof Step.Wait ? Optional.of(running) : Optional.empty(),
        Optional.empty());
  }

  private void call(EtcdClusterModel model, ClusterPass pass,
      java.util.function.BiFunction<dev.quorum.etcd.EtcdClusterClient, java.util.Map<String, String>, Boolean> call) {
    etcd.withClient(model, pass.pods(), call).orElseThrow(() -> new IllegalStateException("no member runs to ask"));
  }

  private void done(EtcdCluster cluster, EtcdClusterModel model, String reason, String message) {
    LOG.infof("%s: %s", model.key(), message);
    events.normal(cluster, reason, message);
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
