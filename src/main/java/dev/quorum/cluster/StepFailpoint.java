package dev.quorum.cluster;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Test only: halts the operator at once, as a kill would, right after a step whose event reason is named, so a test
 * can prove that a restarted operator finishes what this one left half done. Named nothing (production), it does
 * nothing.
 */
final class StepFailpoint {

  private static final Logger LOG = Logger.getLogger(StepFailpoint.class);
  /** What a killed JVM exits with (128 + SIGKILL). */
  private static final int KILLED = 137;

  private final String setting;
  private final Set<String> reasons;

  /**
   * @param setting the configuration key, for the log line
   * @param reasons event reasons separated by commas
   */
  StepFailpoint(String setting, Optional<String> reasons) {
    this.setting = setting;
    this.reasons = reasons.map(r -> Set.copyOf(List.of(r.split(",")))).orElse(Set.of());
  }

  /** Called once the step's event is out. */
  void after(String reason) {
    if (reasons.contains(reason)) {
      LOG.warnf("failpoint %s: halting as if killed, after %s", setting, reason);
      Runtime.getRuntime().halt(KILLED);
    }
  }
}
