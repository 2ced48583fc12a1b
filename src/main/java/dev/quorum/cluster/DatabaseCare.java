package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.AlarmStatus;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.MaintenanceStatus;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.EtcdClusterClient;
import dev.quorum.maintenance.CorruptionRecovery;
import dev.quorum.maintenance.DatabaseStep;
import dev.quorum.model.EtcdClusterModel;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;

/**
 * Carries out the step the care of the members' databases decided ({@link DatabaseStep}) through the etcd API, tells
 * the user with an event, and says how far the operation got ({@code status.maintenance}) and how it ended
 * ({@code status.lastMaintenance}).
 */
final class DatabaseCare {

  private static final Logger LOG = Logger.getLogger(DatabaseCare.class);

  /**
   * What a pass did for the members' databases.
   *
   * @param running the operation on record after this pass; empty once it ended
   * @param finished how it ended, when it ended in this pass
   */
  record Outcome(DatabaseStep step, Optional<MaintenanceStatus> running, Optional<MaintenanceStatus> finished) {

    /** It changed something in etcd: the next pass looks again soon (a replacement is the membership's doing). */
    boolean acted() {
      return !(step instanceof DatabaseStep.Wait) && !(step instanceof DatabaseStep.DoesNotFit)
          && !(step instanceof DatabaseStep.CannotDecide) && !(step instanceof DatabaseStep.ReplaceMember);
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
    for (AlarmStatus alarm : Alarms.toReport(pass.etcd())) {
      if (before.stream().noneMatch(b -> b.getType().equals(alarm.getType()) && b.getMember().equals(alarm.getMember()))) {
        events.warning(pass.cluster(), Alarms.reason(alarm), Alarms.describe(alarm));
      }
    }
  }

  Outcome apply(ClusterPass pass, DatabaseStep step) {
    EtcdClusterModel model = pass.model();
    EtcdCluster cluster = pass.cluster();
    Optional<MaintenanceStatus> previous = Optional.ofNullable(cluster.getStatus()).map(s -> s.getMaintenance())
        .filter(m -> step.operation().equals(m.getType()));
    ClusterView reading = pass.etcd().orElseThrow(() -> new IllegalStateException("no member answered just now"));
    MaintenanceStatus running = previous.orElseGet(() -> begun(step));
    if (step instanceof DatabaseStep.Compact compact) {
      call(model, pass, (client, endpoints) -> client.compact(endpoints, reading, compact.revision()));
      running = begun(step);
      running.setStartedAt(previous.map(MaintenanceStatus::getStartedAt).orElse(running.getStartedAt()));
      running.setSizeBeforeBytes(previous.map(MaintenanceStatus::getSizeBeforeBytes).orElse(compact.sizeBeforeBytes()));
      running.setCompactedRevision(compact.revision());
      done(cluster, model, Reasons.COMPACTED, "compacted the key history up to revision " + compact.revision()
          + "; defragmenting each member next, the leader last");
    } else if (step instanceof DatabaseStep.MoveLeader move) {
      call(model, pass, (client, endpoints) -> client.moveLeader(endpoints, reading, move.toId()));
      done(cluster, model, Reasons.LEADER_MOVED, "moved leadership from " + move.member() + " to " + move.toMember()
          + " to defragment " + move.member() + " as a follower");
    } else if (step instanceof DatabaseStep.Defragment defragment) {
      long started = System.nanoTime();
      call(model, pass, (client, endpoints) -> client.defragment(Optional.ofNullable(endpoints.get(defragment.member()))
          .orElseThrow(() -> new IllegalStateException(defragment.member() + " has no running pod to defragment")),
          defragmentTimeout));
      // the first member's: an operation that waited before it began has no size on record yet
      if (running.getSizeBeforeBytes() == null && defragment.sizeBeforeBytes() > 0) {
        running.setSizeBeforeBytes(defragment.sizeBeforeBytes());
      }
      List<String> defragmented = new ArrayList<>(Optional.ofNullable(running.getDefragmented()).orElse(List.of()));
      defragmented.add(defragment.member());
      running.setDefragmented(defragmented);
      done(cluster, model, Reasons.DEFRAGMENTED, String.format("defragmented %s in %.1f s, which had %s of free pages",
          defragment.member(), (System.nanoTime() - started) / 1e9, mib(defragment.reclaimableBytes())));
    } else if (step instanceof DatabaseStep.Disarm disarm) {
      call(model, pass, (client, endpoints) -> {
        disarm.alarms().forEach(alarm -> client.disarm(endpoints, reading, alarm));
      });
      if (CorruptionRecovery.TYPE.equals(step.operation())) {
        running.setFinishedAt(now());
        running.setMessage("CORRUPT disarmed: every voting member's data agrees again; the cluster takes writes"
            + " again");
        done(cluster, model, Reasons.CORRUPTION_RECOVERED, running.getMessage());
        return new Outcome(step, Optional.empty(), Optional.of(running));
      }
      return finished(cluster, model, step, running, disarm.sizeAfterBytes(), Reasons.NO_SPACE_RECOVERED,
          "NOSPACE disarmed: the members' databases went from %s to %s together; the cluster takes writes again");
    } else if (step instanceof DatabaseStep.Finish finish) {
      return finished(cluster, model, step, running, finish.sizeAfterBytes(), Reasons.DEFRAGMENTED,
          "every member defragmented: the members' databases went from %s to %s together");
    } else if (step instanceof DatabaseStep.DoesNotFit doesNotFit) {
      if (!doesNotFit.message().equals(running.getMessage())) {
        events.warning(cluster, Reasons.DATA_DOES_NOT_FIT, doesNotFit.message());
      }
    } else if (step instanceof DatabaseStep.CannotDecide cannotDecide) {
      if (!cannotDecide.message().equals(running.getMessage())) {
        events.warning(cluster, Reasons.CORRUPTION_UNDECIDED, cannotDecide.message());
      }
    }
    running.setMessage(DatabaseStep.describe(step));
    // a wait before anything began says so in the status too; one that ends nothing is kept as it is
    boolean onRecord = previous.isPresent() || !(step instanceof DatabaseStep.DoesNotFit);
    return new Outcome(step, onRecord ? Optional.of(running) : Optional.empty(), Optional.empty());
  }

  /** The operation ends: how, on record as the last one, and an event. */
  private Outcome finished(EtcdCluster cluster, EtcdClusterModel model, DatabaseStep step, MaintenanceStatus running,
      long sizeAfterBytes, String reason, String message) {
    running.setFinishedAt(now());
    running.setSizeAfterBytes(sizeAfterBytes);
    running.setMessage(String.format(message, mib(Optional.ofNullable(running.getSizeBeforeBytes()).orElse(0L)),
        mib(sizeAfterBytes)));
    done(cluster, model, reason, running.getMessage());
    return new Outcome(step, Optional.empty(), Optional.of(running));
  }

  /** A new operation's record, as its first step begins it. */
  private static MaintenanceStatus begun(DatabaseStep step) {
    MaintenanceStatus running = new MaintenanceStatus();
    running.setType(step.operation());
    running.setStartedAt(now());
    return running;
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  private void call(EtcdClusterModel model, ClusterPass pass, BiConsumer<EtcdClusterClient, Map<String, String>> call) {
    etcd.withClient(model, pass.pods(), (client, endpoints) -> {
      call.accept(client, endpoints);
      return true;
    }).orElseThrow(() -> new IllegalStateException("no member runs to ask"));
  }

  private void done(EtcdCluster cluster, EtcdClusterModel model, String reason, String message) {
    LOG.infof("%s: %s", model.key(), message);
    events.normal(cluster, reason, message);
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
