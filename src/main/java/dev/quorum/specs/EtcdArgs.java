package dev.quorum.specs;

import dev.quorum.api.v1alpha1.EtcdTuning;
import dev.quorum.model.BackendQuota;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.EtcdPorts;
import dev.quorum.model.EtcdVersion;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrap;
import dev.quorum.model.Scheme;
import dev.quorum.tls.ClusterCertificates;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The etcd command line of one member. Deterministic, so an unchanged spec never rolls the pods. */
public final class EtcdArgs {

  public static final String DATA_MOUNT = "/var/lib/etcd";
  public static final String DATA_DIR = DATA_MOUNT + "/data";
  /** TLS: where the members' Secret (CA certificate, certificate, key) is mounted. */
  public static final String TLS_MOUNT = "/etc/etcd/tls";
  /** Every address of the pod: a member is reached through its DNS name, which resolves to the pod IP. */
  static final String ALL_ADDRESSES = "0.0.0.0";
  /** The release that names the corruption checks feature gates. */
  static final EtcdVersion FEATURE_GATES_SINCE = new EtcdVersion(3, 6, 0);
  /** Flags with which a user takes the corruption checks into their own hands. */
  static final List<String> CORRUPTION_CHECK_FLAGS = List.of("feature-gates", "experimental-initial-corrupt-check",
      "experimental-compact-hash-check-enabled", "experimental-corrupt-check-time", "corrupt-check-time");

  private EtcdArgs() {}

  /** The member's whole command line: its shape, then its bootstrap settings. */
  public static List<String> build(EtcdClusterModel model, Member member) {
    List<String> args = shape(model, member);
    member.bootstrap().flags().forEach((flag, value) -> args.add("--" + flag + "=" + value));
    return args;
  }

  /**
   * Whether a member's pod starts etcd with {@code --force-new-cluster}: its record asked for it when the pod was made.
   * A pod's command line never changes, so this stays true until the pod is replaced.
   */
  public static boolean forcesNewCluster(Pod pod) {
    return pod.getSpec() != null && pod.getSpec().getContainers().stream()
        .filter(c -> MemberPodBuilder.CONTAINER.equals(c.getName()) && c.getArgs() != null)
        .anyMatch(c -> c.getArgs().contains("--" + MemberBootstrap.FORCE_NEW_CLUSTER_FLAG + "=true"));
  }

  /**
   * Everything but the bootstrap settings. etcd reads those only while its data directory is empty, so a
   * member whose recorded bootstrap changes is not restarted for it; the rest is what a roll applies.
   */
  public static List<String> shape(EtcdClusterModel model, Member member) {
    Scheme scheme = model.scheme();
    // a pod's own addresses; a static pod shares its node's network, and listens at the node's address only
    String listen = model.staticPods() ? member.host() : ALL_ADDRESSES;
    List<String> args = new ArrayList<>();
    args.add("--name=" + member.name());
    args.add("--data-dir=" + DATA_DIR);
    args.add("--listen-peer-urls=" + scheme.url(listen, EtcdPorts.PEER));
    args.add("--listen-client-urls=" + scheme.url(listen, EtcdPorts.CLIENT));
    // plain HTTP whatever the scheme: probes and metrics scrapers carry no client certificate
    args.add("--listen-metrics-urls=" + Scheme.HTTP.url(listen, EtcdPorts.METRICS));
    args.add("--advertise-client-urls=" + member.clientUrl());
    args.add("--initial-advertise-peer-urls=" + member.peerUrl());
    if (model.scheme() == Scheme.HTTPS) {
      args.addAll(tlsArgs());
    }
    BackendQuota.flagValue(model.resource()).ifPresent(quota -> args.add("--quota-backend-bytes=" + quota));
    args.addAll(corruptionCheckArgs(model.version(), model.spec().getEtcd()));
    args.addAll(tuningArgs(model.spec().getEtcd()));
    return args;
  }

  /**
   * etcd's corruption checks, which etcd leaves off: a member compares its data with the others' before it serves
   * (initial check), and the leader compares the followers' hashes at every compaction (a Kubernetes API server
   * compacts every five minutes): a member whose data diverged raises CORRUPT instead of serving it. 3.6 names them
   * feature gates, 3.5 experimental flags (both since before 3.5.11, the oldest release admitted). The periodic full
   * check (--corrupt-check-time) stays off: it hashes every member's whole database each period. A user who sets
   * feature gates or any of these flags in extraArgs decides them all.
   */
  static List<String> corruptionCheckArgs(String version, EtcdTuning etcd) {
    Map<String, String> extra = etcd == null || etcd.getExtraArgs() == null ? Map.of() : etcd.getExtraArgs();
    if (extra.keySet().stream().anyMatch(CORRUPTION_CHECK_FLAGS::contains)) {
      return List.of();
    }
    boolean gates = EtcdVersion.parse(version).map(v -> v.compareTo(FEATURE_GATES_SINCE) >= 0).orElse(true);
    return gates ? List.of("--feature-gates=CompactHashCheck=true,InitialCorruptCheck=true")
        : List.of("--experimental-initial-corrupt-check=true", "--experimental-compact-hash-check-enabled=true");
  }

  /** One certificate serves clients and peers; both must present a certificate of the cluster's CA. */
  static List<String> tlsArgs() {
    String ca = TLS_MOUNT + "/" + ClusterCertificates.CA_CERT;
    String cert = TLS_MOUNT + "/" + ClusterCertificates.CERT;
    String key = TLS_MOUNT + "/" + ClusterCertificates.KEY;
    return List.of("--trusted-ca-file=" + ca, "--cert-file=" + cert, "--key-file=" + key, "--client-cert-auth=true",
        "--peer-trusted-ca-file=" + ca, "--peer-cert-file=" + cert, "--peer-key-file=" + key,
        "--peer-client-cert-auth=true");
  }

  static List<String> tuningArgs(EtcdTuning etcd) {
    List<String> args = new ArrayList<>();
    if (etcd == null) {
      return args;
    }
    if (etcd.getAutoCompactionMode() != null) {
      args.add("--auto-compaction-mode=" + etcd.getAutoCompactionMode().flagValue());
    }
    addIfSet(args, "auto-compaction-retention", etcd.getAutoCompactionRetention());
    addIfSet(args, "heartbeat-interval", etcd.getHeartbeatIntervalMillis());
    addIfSet(args, "election-timeout", etcd.getElectionTimeoutMillis());
    addIfSet(args, "snapshot-count", etcd.getSnapshotCount());
    if (etcd.getExtraArgs() != null) {
      // sorted for a stable pod spec; owned flags are dropped even if admission let them through
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
