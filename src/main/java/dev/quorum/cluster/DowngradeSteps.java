package dev.quorum.cluster;

import dev.quorum.etcd.EtcdDowngrade;
import dev.quorum.membership.DowngradePlan;
import dev.quorum.model.EtcdClusterModel;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Carries out what etcd's downgrade API needs before members roll back to an older minor ({@link DowngradePlan}):
 * validates and enables the downgrade, or cancels one the members no longer go to, with an event; a wait is only
 * reported.
 */
final class DowngradeSteps {

  private static final Logger LOG = Logger.getLogger(DowngradeSteps.class);

  private final ClusterViewSource etcd;
  private final ClusterEvents events;

  DowngradeSteps(ClusterViewSource etcd, ClusterEvents events) {
    this.etcd = etcd;
    this.events = events;
  }

  /**
   * @return etcd's refusal, when it refused: the roll keeps waiting and the status says why; the step is tried again
   *     on the next pass
   */
  Optional<String> apply(ClusterPass pass, DowngradePlan.Step step) {
    try {
      take(pass, step);
      return Optional.empty();
    } catch (RuntimeException e) {
      LOG.warnf("%s: %s: %s", pass.model().key(), step.describe(), e.getMessage());
      return Optional.of(step.describe() + " was refused: " + e.getMessage());
    }
  }

  private void take(ClusterPass pass, DowngradePlan.Step step) {
    EtcdClusterModel model = pass.model();
    if (step instanceof DowngradePlan.Step.Enable enable) {
      call(pass, EtcdDowngrade.Action.VALIDATE, enable.line());
      call(pass, EtcdDowngrade.Action.ENABLE, enable.line());
      done(pass, Reasons.DOWNGRADE_ENABLED, "etcd's downgrade from " + enable.from() + " to " + enable.line()
          + " is enabled: the cluster version is " + enable.line() + ", and once every member keeps its data in "
          + enable.line() + "'s format, the members roll back to " + model.version() + " one at a time, the leader"
          + " last");
    } else if (step instanceof DowngradePlan.Step.Cancel cancel) {
      call(pass, EtcdDowngrade.Action.CANCEL, cancel.line());
      done(pass, Reasons.DOWNGRADE_CANCELLED, "etcd's downgrade to " + cancel.line() + " is cancelled: the members"
          + " are to run " + cancel.target());
    }
  }

  private void call(ClusterPass pass, EtcdDowngrade.Action action, String line) {
    etcd.withClient(pass.model(), pass.pods(), (client, endpoints) -> {
      client.downgrade(endpoints, pass.etcd().orElseThrow(), action, line);
      return true;
    }).orElseThrow(() -> new IllegalStateException("no member runs to ask"));
  }

  private void done(ClusterPass pass, String reason, String message) {
    LOG.infof("%s: %s", pass.model().key(), message);
    events.normal(pass.cluster(), reason, message);
  }
}
