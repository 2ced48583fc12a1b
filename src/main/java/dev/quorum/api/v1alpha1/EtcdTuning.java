package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** etcd flags a user may tune. Flags that shape cluster membership stay with the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = EtcdTuning.TIMEOUT_RULE, message = EtcdTuning.TIMEOUT_MESSAGE)
public class EtcdTuning {

  /** etcd's defaults, used when only one of the two timing flags is set. */
  public static final int DEFAULT_HEARTBEAT_MILLIS = 100;
  public static final int DEFAULT_ELECTION_TIMEOUT_MILLIS = 1000;

  static final String TIMEOUT_RULE =
      "(has(self.electionTimeoutMillis) ? self.electionTimeoutMillis : 1000)"
          + " >= 5 * (has(self.heartbeatIntervalMillis) ? self.heartbeatIntervalMillis : 100)";
  public static final String TIMEOUT_MESSAGE =
      "electionTimeoutMillis must be at least 5 times heartbeatIntervalMillis (etcd refuses to start"
          + " otherwise; when one is unset etcd's default applies: heartbeat 100, election timeout 1000)";

  /** Flags the operator sets itself: overriding them would break membership, addressing or data. */
  public static final List<String> OWNED_FLAGS = List.of(
      "name", "initial-cluster", "initial-cluster-state", "initial-cluster-token",
      "initial-advertise-peer-urls", "advertise-client-urls", "listen-peer-urls",
      "listen-client-urls", "listen-metrics-urls", "data-dir", "wal-dir", "force-new-cluster");

  // Map key look-ups keep the CEL cost constant whatever the map's size.
  static final String OWNED_FLAGS_RULE =
      "!('name' in self) && !('initial-cluster' in self) && !('initial-cluster-state' in self)"
          + " && !('initial-cluster-token' in self) && !('initial-advertise-peer-urls' in self)"
          + " && !('advertise-client-urls' in self) && !('listen-peer-urls' in self)"
          + " && !('listen-client-urls' in self) && !('listen-metrics-urls' in self)"
          + " && !('data-dir' in self) && !('wal-dir' in self) && !('force-new-cluster' in self)";
  public static final String OWNED_FLAGS_MESSAGE =
      "extraArgs cannot set name, initial-cluster, initial-cluster-state, initial-cluster-token,"
          + " initial-advertise-peer-urls, advertise-client-urls, listen-peer-urls, listen-client-urls,"
          + " listen-metrics-urls, data-dir, wal-dir or force-new-cluster: the operator sets these flags itself to"
          + " form the cluster, address its members, keep their data on the managed volume and recover a lost"
          + " quorum (force-new-cluster run twice, or next to old members, splits the cluster)";
  static final String FLAG_NAME_RULE = "self.all(k, !k.startsWith('-') && k != '')";
  public static final String FLAG_NAME_MESSAGE =
      "extraArgs keys are etcd flag names without leading dashes, e.g. max-request-bytes";

  @JsonPropertyDescription("--quota-backend-bytes: the size a member's database may reach before etcd raises NOSPACE"
      + " (the cluster then takes reads and deletes only, until the operator has made room and disarmed it). Default"
      + " with volume claims: half of storage.size beyond 512 MiB for etcd's write-ahead log (half of a smaller volume),"
      + " since a defragmentation writes the data again beside the file; at most 8 GiB, etcd's practical maximum."
      + " Ephemeral and static pod members: etcd's default, 2 GiB.")
  @Min(0)
  private Long quotaBackendBytes;

  @JsonPropertyDescription("--auto-compaction-mode: periodic or revision.")
  private AutoCompactionMode autoCompactionMode;

  @JsonPropertyDescription("--auto-compaction-retention, e.g. 1h for periodic or 1000 for revision mode.")
  private String autoCompactionRetention;

  @JsonPropertyDescription("--heartbeat-interval in milliseconds (etcd default 100).")
  @Min(1)
  private Integer heartbeatIntervalMillis;

  @JsonPropertyDescription("--election-timeout in milliseconds (etcd default 1000), at least 5 heartbeats.")
  @Min(1)
  @Max(50000)
  private Integer electionTimeoutMillis;

  @JsonPropertyDescription("--snapshot-count: committed transactions that trigger a snapshot to disk.")
  @Min(1)
  private Long snapshotCount;

  @JsonPropertyDescription(
      "Further etcd flags as name -> value, names without leading dashes. Flags the operator owns are refused.")
  @Size(max = 64)
  @ValidationRule(value = OWNED_FLAGS_RULE, message = OWNED_FLAGS_MESSAGE)
  @ValidationRule(value = FLAG_NAME_RULE, message = FLAG_NAME_MESSAGE)
  private Map<String, String> extraArgs = new TreeMap<>();

  public Long getQuotaBackendBytes() {
    return quotaBackendBytes;
  }

  public void setQuotaBackendBytes(Long quotaBackendBytes) {
    this.quotaBackendBytes = quotaBackendBytes;
  }

  public AutoCompactionMode getAutoCompactionMode() {
    return autoCompactionMode;
  }

  public void setAutoCompactionMode(AutoCompactionMode autoCompactionMode) {
    this.autoCompactionMode = autoCompactionMode;
  }

  public String getAutoCompactionRetention() {
    return autoCompactionRetention;
  }

  public void setAutoCompactionRetention(String autoCompactionRetention) {
    this.autoCompactionRetention = autoCompactionRetention;
  }

  public Integer getHeartbeatIntervalMillis() {
    return heartbeatIntervalMillis;
  }

  public void setHeartbeatIntervalMillis(Integer heartbeatIntervalMillis) {
    this.heartbeatIntervalMillis = heartbeatIntervalMillis;
  }

  public Integer getElectionTimeoutMillis() {
    return electionTimeoutMillis;
  }

  public void setElectionTimeoutMillis(Integer electionTimeoutMillis) {
    this.electionTimeoutMillis = electionTimeoutMillis;
  }

  public Long getSnapshotCount() {
    return snapshotCount;
  }

  public void setSnapshotCount(Long snapshotCount) {
    this.snapshotCount = snapshotCount;
  }

  public Map<String, String> getExtraArgs() {
    return extraArgs;
  }

  public void setExtraArgs(Map<String, String> extraArgs) {
    this.extraArgs = extraArgs;
  }
}
