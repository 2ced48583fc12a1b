package dev.quorum.noderecovery;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pure: a kubeadm-style etcd static pod manifest ({@code etcd.yaml}, as kubeadm or {@code quorum render} writes it),
 * read for what a node-local recovery needs (the member's name, data directory, URLs, TLS files) and written back with
 * flags changed. Only the etcd container's {@code --flag=value} arguments change; the rest of the file is kept.
 */
public final class EtcdManifest {

  static final String FORCE_NEW_CLUSTER = "force-new-cluster";
  static final String INITIAL_CLUSTER = "initial-cluster";
  static final String INITIAL_CLUSTER_STATE = "initial-cluster-state";

  /** The manifest cannot be used: not a pod, no etcd container, a flag missing. */
  public static final class Unusable extends Exception {
    Unusable(String message) {
      super(message);
    }
  }

  private final Pod pod;
  private final int container;
  private final Map<String, String> flags;

  private EtcdManifest(Pod pod, int container, Map<String, String> flags) {
    this.pod = pod;
    this.container = container;
    this.flags = flags;
  }

  public static EtcdManifest parse(String yaml) throws Unusable {
    Pod pod;
    try {
      pod = Serialization.unmarshal(yaml, Pod.class);
    } catch (RuntimeException e) {
      throw new Unusable("not a pod manifest: " + e.getMessage());
    }
    if (pod == null || pod.getSpec() == null || pod.getSpec().getContainers() == null) {
      throw new Unusable("not a pod manifest: no containers");
    }
    List<Container> containers = pod.getSpec().getContainers();
    for (int i = 0; i < containers.size(); i++) {
      List<String> command = commandLine(containers.get(i));
      if (!command.isEmpty() && (command.get(0).equals("etcd") || command.get(0).endsWith("/etcd"))) {
        EtcdManifest manifest = new EtcdManifest(pod, i, flags(command));
        for (String required : List.of("name", "data-dir", "advertise-client-urls", "initial-advertise-peer-urls")) {
          if (manifest.flag(required).isEmpty()) {
            throw new Unusable("the etcd command has no --" + required);
          }
        }
        return manifest;
      }
    }
    throw new Unusable("no container runs etcd (a command starting with etcd)");
  }

  public String name() {
    return flags.get("name");
  }

  public String dataDir() {
    return flags.get("data-dir");
  }

  /** The first client URL the member advertises: where this node reaches it. */
  public String clientUrl() {
    return first(flags.get("advertise-client-urls"));
  }

  public String peerUrl() {
    return first(flags.get("initial-advertise-peer-urls"));
  }

  public Optional<String> flag(String name) {
    return Optional.ofNullable(flags.get(name));
  }

  public boolean forcingNewCluster() {
    return flag(FORCE_NEW_CLUSTER).map(v -> v.isEmpty() || v.equals("true")).orElse(false);
  }

  /** The files a client presents to the member, when it serves TLS: its CA, and a certificate kubeadm issues for both. */
  public Optional<ClientFiles> clientFiles() {
    Optional<String> ca = flag("trusted-ca-file");
    Optional<String> cert = flag("cert-file");
    Optional<String> key = flag("key-file");
    return ca.isPresent() && cert.isPresent() && key.isPresent() && clientUrl().startsWith("https://")
        ? Optional.of(new ClientFiles(ca.get(), cert.get(), key.get())) : Optional.empty();
  }

  public record ClientFiles(String ca, String cert, String key) {}

  /** The same manifest, the member starting once as a one-member cluster of its own data. */
  public EtcdManifest forcingNewClusterOnce() {
    return with(Map.of(FORCE_NEW_CLUSTER, "true"), List.of());
  }

  /** The same manifest without {@code --force-new-cluster}: etcd reads it at every start. */
  public EtcdManifest notForcing() {
    return with(Map.of(), List.of(FORCE_NEW_CLUSTER));
  }

  /** The member joining an existing cluster whose membership (with it) is {@code initialCluster}. */
  public EtcdManifest joining(String initialCluster) {
    return with(Map.of(INITIAL_CLUSTER, initialCluster, INITIAL_CLUSTER_STATE, "existing"),
        List.of(FORCE_NEW_CLUSTER));
  }

  /** One YAML document, as the kubelet reads a manifest. */
  public String yaml() {
    return Serialization.asYaml(pod).replaceFirst("^---\n", "");
  }

  private EtcdManifest with(Map<String, String> set, List<String> removed) {
    Pod copy = Serialization.clone(pod);
    Container etcd = copy.getSpec().getContainers().get(container);
    Map<String, String> changed = new LinkedHashMap<>(flags);
    removed.forEach(changed::remove);
    changed.putAll(set);
    List<String> command = new ArrayList<>(commandLine(etcd));
    List<String> program = new ArrayList<>();
    for (String word : command) {
      if (word.startsWith("--")) {
        break;
      }
      program.add(word);
    }
    changed.forEach((flag, value) -> program.add("--" + flag + "=" + value));
    // the command and its arguments written as one command, as kubeadm writes them
    etcd.setCommand(program);
    etcd.setArgs(null);
    return new EtcdManifest(copy, container, changed);
  }

  private static List<String> commandLine(Container container) {
    List<String> words = new ArrayList<>();
    if (container.getCommand() != null) {
      words.addAll(container.getCommand());
    }
    if (container.getArgs() != null) {
      words.addAll(container.getArgs());
    }
    return words;
  }

  /** {@code --flag=value} and {@code --flag value}; a flag alone is "true"; later ones win, as etcd's parser does. */
  private static Map<String, String> flags(List<String> command) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 1; i < command.size(); i++) {
      String word = command.get(i);
      if (!word.startsWith("-")) {
        continue;
      }
      String flag = word.replaceFirst("^--?", "");
      int eq = flag.indexOf('=');
      if (eq >= 0) {
        flags.put(flag.substring(0, eq), flag.substring(eq + 1));
      } else if (i + 1 < command.size() && !command.get(i + 1).startsWith("-")) {
        flags.put(flag, command.get(++i));
      } else {
        flags.put(flag, "true");
      }
    }
    return flags;
  }

  private static String first(String urls) {
    return urls.split(",")[0].strip();
  }
}
