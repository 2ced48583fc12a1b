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
 * @param dataClaim the member's volume claim when it is not the default {@code data-<member>}: a restored member
 *     gets a fresh claim, so the data it replaces (or a retained claim of a deleted namesake) is never overwritten
 * @param restore the snapshot the data directory is restored from before the member first starts; dropped from
 *     the record once the restored cluster has formed, so later pods start from their data as any member does
 * @param forceNewCluster the member starts with {@code --force-new-cluster}: the survivor of a lost quorum, made a
 *     one-member cluster from its own data. etcd reads this flag at every start, so it is on record only until that
 *     start is seen through, never while another member runs
 */
public record MemberBootstrap(State state, String initialCluster, String token, Optional<String> dataClaim,
    Optional<RestoreSource> restore, boolean forceNewCluster) {

  public MemberBootstrap {
    dataClaim = dataClaim == null ? Optional.empty() : dataClaim;
    restore = restore == null ? Optional.empty() : restore;
  }

  public MemberBootstrap(State state, String initialCluster, String token, Optional<String> dataClaim,
      Optional<RestoreSource> restore) {
    this(state, initialCluster, token, dataClaim, restore, false);
  }

  public MemberBootstrap(State state, String initialCluster, String token) {
    this(state, initialCluster, token, Optional.empty(), Optional.empty());
  }

  /** The same bootstrap restoring {@code source} into a fresh claim {@code claim}. */
  public MemberBootstrap restoring(RestoreSource source, String claim) {
    return new MemberBootstrap(state, initialCluster, token, Optional.of(claim), Optional.of(source));
  }

  /** The same bootstrap, starting the member with {@code --force-new-cluster} or no longer. */
  public MemberBootstrap forcingNewCluster(boolean force) {
    return new MemberBootstrap(state, initialCluster, token, dataClaim, restore, force);
  }

  /** The same bootstrap once the restore is done: the data is there, only its claim's name still matters. */
  public MemberBootstrap restored() {
    return new MemberBootstrap(state, initialCluster, token, dataClaim, Optional.empty(), forceNewCluster);
  }

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
  static final String DATA_CLAIM_KEY = "data-claim";
  public static final String FORCE_NEW_CLUSTER_FLAG = "force-new-cluster";

  /** The settings as etcd flag names and values, in a stable order. */
  public Map<String, String> flags() {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(CLUSTER_KEY, initialCluster);
    flags.put(STATE_KEY, state.flagValue());
    flags.put(TOKEN_KEY, token);
    if (forceNewCluster) {
      flags.put(FORCE_NEW_CLUSTER_FLAG, "true");
    }
    return flags;
  }

  /** The recorded form: one {@code setting: value} line per setting (etcd's flag names first), readable YAML. */
  public String toRecord() {
    Map<String, String> entries = new LinkedHashMap<>(flags());
    dataClaim.ifPresent(claim -> entries.put(DATA_CLAIM_KEY, claim));
    restore.ifPresent(source -> entries.putAll(source.recordEntries()));
    StringBuilder out = new StringBuilder();
    entries.forEach((key, value) -> out.append(key).append(": ").append(value).append('\n'));
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
    Optional<RestoreSource> restore = RestoreSource.fromRecordEntries(values);
    if (RestoreSource.hasSource(values) && restore.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> claim = Optional.ofNullable(values.get(DATA_CLAIM_KEY)).filter(c -> !c.isEmpty());
    boolean force = "true".equals(values.get(FORCE_NEW_CLUSTER_FLAG));
    return Optional.of(new MemberBootstrap(state.get(), cluster, token, claim, restore, force));
  }
}
