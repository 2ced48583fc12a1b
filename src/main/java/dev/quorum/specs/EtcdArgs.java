package dev.quorum.specs;

import dev.quorum.api.v1alpha1.EtcdTuning;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.EtcdPorts;
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
    args.addAll(tuningArgs(model.spec().getEtcd()));
    return args;
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
    addIfSet(args, "quota-backend-bytes", etcd.getQuotaBackendBytes());
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
