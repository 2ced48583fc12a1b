package dev.quorum.cluster;

import dev.quorum.api.EtcdCluster;
import dev.quorum.api.EtcdTuning;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The etcd command line of a member. Deterministic, so an unchanged spec never rolls the pods. */
public final class EtcdArgs {

  public static final String DATA_MOUNT = "/var/lib/etcd";
  public static final String DATA_DIR = DATA_MOUNT + "/data";
  /** Expanded by the kubelet from the POD_NAME environment variable. */
  static final String POD_NAME_REF = "$(POD_NAME)";

  private EtcdArgs() {}

  public static List<String> build(EtcdCluster cluster, OperatorDefaults defaults) {
    String domain = defaults.clusterDomain();
    String self = EtcdClusterNames.memberHost(cluster, POD_NAME_REF, domain);
    List<String> args = new ArrayList<>();
    args.add("--name=" + POD_NAME_REF);
    args.add("--data-dir=" + DATA_DIR);
    args.add("--listen-peer-urls=http://0.0.0.0:" + EtcdClusterNames.PEER_PORT);
    args.add("--listen-client-urls=http://0.0.0.0:" + EtcdClusterNames.CLIENT_PORT);
    args.add("--listen-metrics-urls=http://0.0.0.0:" + EtcdClusterNames.METRICS_PORT);
    args.add("--advertise-client-urls=http://" + self + ":" + EtcdClusterNames.CLIENT_PORT);
    args.add("--initial-advertise-peer-urls=http://" + self + ":" + EtcdClusterNames.PEER_PORT);
    args.add("--initial-cluster=" + initialCluster(cluster, domain));
    args.add("--initial-cluster-state=new");
    args.add("--initial-cluster-token=" + initialClusterToken(cluster));
    args.addAll(tuningArgs(cluster.getSpec().getEtcd()));
    return args;
  }

  /** Every member with its peer URL: with Parallel pod management all of them start together. */
  static String initialCluster(EtcdCluster cluster, String domain) {
    return IntStream.range(0, cluster.getSpec().getSize())
        .mapToObj(i -> EtcdClusterNames.member(cluster, i))
        .map(m -> m + "=http://" + EtcdClusterNames.memberHost(cluster, m, domain) + ":" + EtcdClusterNames.PEER_PORT)
        .collect(Collectors.joining(","));
  }

  /**
   * Unique per EtcdCluster object, so members of a deleted and re-created cluster of the same name
   * can never join each other's leftovers.
   */
  static String initialClusterToken(EtcdCluster cluster) {
    String uid = cluster.getMetadata().getUid();
    String name = cluster.getMetadata().getName();
    return uid == null || uid.isEmpty() ? name : name + "-" + uid.substring(0, Math.min(8, uid.length()));
  }

  static List<String> tuningArgs(EtcdTuning etcd) {
    List<String> args = new ArrayList<>();
    if (etcd == null) {
      return args;
    }
    addIfSet(args, "quota-backend-bytes", etcd.getQuotaBackendBytes());
    if (etcd.getAutoCompactionMode() != null) {
      args.add("--auto-compaction-mode=" + etcd.getAutoCompactionMode().flagValue());
    }
    addIfSet(args, "auto-compaction-retention", etcd.getAutoCompactionRetention());
    addIfSet(args, "heartbeat-interval", etcd.getHeartbeatIntervalMillis());
    addIfSet(args, "election-timeout", etcd.getElectionTimeoutMillis());
    addIfSet(args, "snapshot-count", etcd.getSnapshotCount());
    if (etcd.getExtraArgs() != null) {
      // sorted for a stable pod template; owned flags are dropped even if admission let them through
      new TreeMap<>(etcd.getExtraArgs()).entrySet().stream()
          .filter(e -> !EtcdTuning.OWNED_FLAGS.contains(e.getKey()))
          .map(EtcdArgs::flag)
          .forEach(args::add);
    }
    return args;
  }

  private static void addIfSet(List<String> args, String flag, Object value) {
    if (value != null) {
      args.add("--" + flag + "=" + value);
    }
  }

  private static String flag(Map.Entry<String, String> entry) {
    String value = entry.getValue() == null ? "" : entry.getValue();
    return "--" + entry.getKey() + "=" + value;
  }
}
