package dev.quorum.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How a member's data directory is created on its first start: as one of the founding members of a new
 * cluster, or by joining an existing one. etcd reads these settings only while the data directory is
 * empty, so they are decided once per member and recorded (see {@link MemberBootstrapRecords}), never
 * recomputed for a member that already has data.
 *
 * @param initialCluster {@code name=peerURL,...} as etcd's {@code --initial-cluster} expects it
 */
public record MemberBootstrap(State state, String initialCluster, String token) {

  public enum State {
    NEW("new"),
    EXISTING("existing");

    private final String flagValue;

    State(String flagValue) {
      this.flagValue = flagValue;
    }

    public String flagValue() {
      return flagValue;
    }

    static Optional<State> fromFlagValue(String value) {
      for (State state : values()) {
        if (state.flagValue.equals(value)) {
          return Optional.of(state);
        }
      }
      return Optional.empty();
    }
  }

  static final String STATE_KEY = "initial-cluster-state";
  static final String CLUSTER_KEY = "initial-cluster";
  static final String TOKEN_KEY = "initial-cluster-token";

  /** The settings as etcd flag names and values, in a stable order. */
  public Map<String, String> flags() {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(CLUSTER_KEY, initialCluster);
    flags.put(STATE_KEY, state.flagValue());
    flags.put(TOKEN_KEY, token);
    return flags;
  }

  /** The recorded form: one {@code flag: value} line per setting, readable YAML. */
  public String toRecord() {
    StringBuilder out = new StringBuilder();
    flags().forEach((flag, value) -> out.append(flag).append(": ").append(value).append('\n'));
    return out.toString();
  }

  /** Parses {@link #toRecord()}; empty when a setting is missing or unknown, so a damaged record is reported. */
  public static Optional<MemberBootstrap> fromRecord(String record) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : record.split("\n")) {
      int colon = line.indexOf(": ");
      if (colon > 0) {
        values.put(line.substring(0, colon).trim(), line.substring(colon + 2).trim());
      }
    }
    String cluster = values.get(CLUSTER_KEY);
    String token = values.get(TOKEN_KEY);
    Optional<State> state = State.fromFlagValue(values.getOrDefault(STATE_KEY, ""));
    if (cluster == null || cluster.isEmpty() || token == null || token.isEmpty() || state.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new MemberBootstrap(state.get(), cluster, token));
  }
}
