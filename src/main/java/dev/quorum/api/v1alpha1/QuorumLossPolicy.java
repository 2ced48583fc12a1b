package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** What the operator does when the cluster's quorum is lost: report it and wait to be asked, or recover by itself. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class QuorumLossPolicy {

  public static final String DEFAULT_AFTER = "5m";

  /** Who starts a recovery. */
  public enum Recovery {
    Manual,
    Automatic
  }

  @JsonPropertyDescription("Manual (the default): a lost quorum is reported and recovered only when a user creates"
      + " an EtcdRecovery. Automatic: once quorum has been lost for `after`, the operator creates one itself"
      + " (<cluster>-auto-<time of the loss>), from `from`.")
  @Default("Manual")
  private Recovery recovery = Recovery.Manual;

  @JsonPropertyDescription("Where an automatic recovery comes back from: Survivor (the member with the most data),"
      + " Backup (the newest Succeeded EtcdBackup of the cluster whose object verifies, restored in place), or"
      + " LeastLoss (whichever of the two has the higher etcd revision; the survivor when they tie).")
  @Default("Survivor")
  private RecoverySource from = RecoverySource.Survivor;

  @JsonPropertyDescription("How long quorum must have been lost before an automatic recovery starts: a whole number"
      + " and s, m, h or d. Members that come back with their data before then end the loss; after it, a member"
      + " that could still come back (its node only unreachable) is given up.")
  @Default(DEFAULT_AFTER)
  @Pattern(WholeDuration.PATTERN)
  private String after = DEFAULT_AFTER;

  public Recovery getRecovery() {
    return recovery;
  }

  public void setRecovery(Recovery recovery) {
    this.recovery = recovery;
  }

  public RecoverySource getFrom() {
    return from;
  }

  public void setFrom(RecoverySource from) {
    this.from = from;
  }

  public String getAfter() {
    return after;
  }

  public void setAfter(String after) {
    this.after = after;
  }
}
