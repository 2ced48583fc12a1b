package dev.quorum.rig;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One node of the rig, kind-style: a network and mount namespace of its own (held by a small holder process), a veth
 * to the machine's bridge, its own containerd, kubelet and kube-proxy, and a cgroup root of its own.
 *
 * <p>The node's mount namespace sees /etc and /var through overlays on the node's directory, and a /run of its own,
 * so host paths a pod mounts (a static pod's manifest directory, its data directory) are the node's, as on separate
 * machines, and nothing the kubelet or containerd writes there reaches this machine. The kernel settings the
 * kubelet insists on are files in that namespace, already holding the values it wants: this machine's stay as they
 * are.
 */
public final class RigNode implements AutoCloseable {

  /** Kernel settings the kubelet sets unless they already hold these values; the node gets files that do. */
  private static final List<String[]> KUBELET_SYSCTLS = List.of(
      new String[] { "vm/overcommit_memory", "1" }, new String[] { "vm/panic_on_oom", "0" },
      new String[] { "kernel/panic", "10" }, new String[] { "kernel/panic_on_oops", "1" },
      new String[] { "kernel/keys/root_maxkeys", "1000000" }, new String[] { "kernel/keys/root_maxbytes", "25000000" });

  /** The marker in the holder's command line by which a crashed run's holder is found. */
  static final String HOLDER_SUFFIX = "-holder";

  private final int index;
  private final int nodeCount;
  private final Tools tools;
  private final Path dir;
  private final Path logs;
  private final ControlPlane controlPlane;
  private ManagedProcess holder;
  private long holderPid;
  private ManagedProcess containerd;
  private ManagedProcess kubelet;
  private ManagedProcess kubeProxy;

  RigNode(int index, int nodeCount, Tools tools, Path dir, Path logs, ControlPlane controlPlane) {
    this.index = index;
    this.nodeCount = nodeCount;
    this.tools = tools;
    this.dir = dir;
    this.logs = logs;
    this.controlPlane = controlPlane;
  }

  public String name() {
    return RigAddresses.nodeName(index);
  }

  public String ip() {
    return RigAddresses.nodeIp(index);
  }

  public Path dir() {
    return dir;
  }

  /** The node's network namespace, for {@code nsenter --net=}. */
  public Path netns() {
    return Path.of("/proc", Long.toString(holderPid), "ns", "net");
  }

  public long holderPid() {
    return holderPid;
  }

  /** Brings the node up to Ready-able: namespaces, link, routes, containerd with the images, kubelet, kube-proxy. */
  RigNode start(List<RigImages.Image> images) {
    try {
      for (String sub : List.of("etc-upper", "etc-work", "var-upper", "var-work", "sysctl", "cni/conf", "cni/data",
          "pod-logs", "kubelet")) {
        Files.createDirectories(dir.resolve(sub));
      }
      startHolder();
      connect();
      createCgroupRoot();
      startContainerd();
      importImages(images);
      startKubelet();
      startKubeProxy();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void startHolder() throws IOException {
    StringBuilder script = new StringBuilder("set -e\n");
    script.append(overlay("/etc")).append(overlay("/var"));
    script.append("mount -t tmpfs -o mode=755 tmpfs /run\n");
    for (String[] sysctl : KUBELET_SYSCTLS) {
      Path file = dir.resolve("sysctl").resolve(sysctl[0].replace('/', '.'));
      Files.writeString(file, sysctl[1] + "\n");
      script.append("mount --bind ").append(file).append(" /proc/sys/").append(sysctl[0]).append('\n');
    }
    script.append("mkdir -p ").append(Rig.STATIC_POD_PATH).append('\n');
    script.append("ip link set lo up\n");
    script.append("echo $$ > ").append(dir.resolve("holder.pid")).append('\n');
    script.append("exec -a ").append(name()).append(HOLDER_SUFFIX).append(" sleep infinity\n");
    Path scriptFile = Files.writeString(dir.resolve("holder.sh"), script);
    Files.deleteIfExists(dir.resolve("holder.pid"));
    holder = ManagedProcess.start(name() + "-holder", List.of("unshare", "--net", "--mount", "--propagation",
        "private", "--fork", "--", "bash", scriptFile.toString()), null, dir, logs.resolve(name() + "-holder.log"));
    await(name() + "'s namespaces").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
      if (!holder.isAlive()) {
        throw new IllegalStateException("rig: node " + name() + " could not make its namespaces:\n" + holder.tail(20));
      }
      return Files.exists(dir.resolve("holder.pid")) && !Files.readString(dir.resolve("holder.pid")).isBlank();
    });
    holderPid = Long.parseLong(Files.readString(dir.resolve("holder.pid")).strip());
  }

  private String overlay(String target) {
    String name = target.substring(1);
    return "mount -t overlay overlay -o lowerdir=" + target + ",upperdir=" + dir.resolve(name + "-upper")
        + ",workdir=" + dir.resolve(name + "-work") + " " + target + "\n";
  }

  /** The veth to the bridge, the node's address, and routes to every other node's pods and to Services. */
  private void connect() {
    String veth = RigAddresses.hostVeth(index);
    HostCommand.run("create " + name() + "'s link", "ip", "link", "add", veth, "type", "veth", "peer", "name",
        "eth0", "netns", Long.toString(holderPid));
    HostCommand.run("attach " + name() + " to the bridge", "ip", "link", "set", veth, "master", RigAddresses.BRIDGE,
        "up");
    inNode("address " + name(), "ip", "addr", "add", ip() + "/" + RigAddresses.BRIDGE_PREFIX, "dev", "eth0");
    inNode("bring up " + name() + "'s link", "ip", "link", "set", "eth0", "up");
    // per network namespace: the node routes between its pods and the bridge (the machine's setting is untouched)
    inNode("let " + name() + " forward", "sysctl", "-qw", "net.ipv4.ip_forward=1");
    for (int other = 0; other < nodeCount; other++) {
      if (other != index) {
        inNode("route to " + RigAddresses.nodeName(other) + "'s pods", "ip", "route", "add",
            RigAddresses.podSubnet(other), "via", RigAddresses.nodeIp(other));
      }
    }
    // kube-proxy rewrites Service addresses after routing chose a way out: they need a route to be tried at all
    inNode("route Services", "ip", "route", "add", RigAddresses.SERVICE_SUBNET, "dev", "eth0");
    HostCommand.run("route to " + name() + "'s pods", "ip", "route", "replace", RigAddresses.podSubnet(index), "via",
        ip(), "dev", RigAddresses.BRIDGE);
  }

  private void createCgroupRoot() throws IOException {
    for (Path hierarchy : NodeCgroups.hierarchies()) {
      Files.createDirectories(hierarchy.resolve(name()));
    }
    NodeCgroups.inheritCpuset(name());
  }

  private void startContainerd() throws IOException {
    Files.writeString(dir.resolve("cni/conf/10-rig.conflist"), """
        {"cniVersion": "1.0.0", "name": "rig", "plugins": [
          {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
           "ipam": {"type": "host-local", "dataDir": "%s", "ranges": [[{"subnet": "%s"}]],
                    "routes": [{"dst": "%s"}, {"dst": "%s"}, {"dst": "%s"}]}},
          {"type": "portmap", "capabilities": {"portMappings": true}}]}
        """.formatted(dir.resolve("cni/data"), RigAddresses.podSubnet(index), RigAddresses.POD_SUBNET,
        RigAddresses.SERVICE_SUBNET, RigAddresses.BRIDGE_SUBNET));
    Files.writeString(dir.resolve("containerd.toml"), """
        version = 3
        root = '%s'
        state = '%s'
        [grpc]
          address = '%s'
        [plugins.'io.containerd.cri.v1.images']
          snapshotter = 'overlayfs'
        [plugins.'io.containerd.cri.v1.images'.pinned_images]
          sandbox = '%s'
        [plugins.'io.containerd.cri.v1.runtime']
          # without CAP_SYS_RESOURCE here, runc cannot give a sandbox the oom_score_adj the CRI asks for
          restrict_oom_score_adj = true
          disable_apparmor = true
        [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
          SystemdCgroup = false
          Root = '%s'
        [plugins.'io.containerd.cri.v1.runtime'.cni]
          bin_dirs = ['%s']
          conf_dir = '%s'
        """.formatted(dir.resolve("containerd"), dir.resolve("containerd-state"), socket(),
        "registry.k8s.io/pause:" + tools.version("PAUSE_VERSION"), dir.resolve("runc"), tools.cniPluginDir(),
        dir.resolve("cni/conf")));
    containerd = ManagedProcess.start(name() + "-containerd", inNodeCommand(List.of(
        tools.containerdBinary("containerd").toString(), "--config", dir.resolve("containerd.toml").toString())),
        java.util.Map.of("PATH", tools.containerdDir() + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
        dir, logs.resolve(name() + "-containerd.log"));
    await(name() + "'s containerd").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      if (!containerd.isAlive()) {
        throw new IllegalStateException("rig: containerd of " + name() + " exited:\n" + containerd.tail(20));
      }
      return Files.exists(socket());
    });
  }

  private void importImages(List<RigImages.Image> images) {
    images.forEach(this::importImage);
  }

  /** containerd's CRI label for an image the kubelet's garbage collection leaves alone, as the sandbox image. */
  private static final String PINNED = "io.cri-containerd.pinned=pinned";

  /**
   * Makes {@code image} present on the node, as a pull would have: pods with IfNotPresent or Never then run it. Pinned:
   * under disk pressure the kubelet removes unused images, and nothing could pull these back.
   */
  public void importImage(RigImages.Image image) {
    HostCommand.run("import " + image.reference() + " into " + name(), ctr("images", "import", "--no-unpack=false",
        image.archive().toString()));
    HostCommand.run("pin " + image.reference() + " on " + name(), ctr("images", "label", image.reference(), PINNED));
    for (String alias : image.aliases()) {
      HostCommand.attempt(ctr("images", "rm", alias));
      HostCommand.run("tag " + alias + " on " + name(), ctr("images", "tag", image.reference(), alias));
      HostCommand.run("pin " + alias + " on " + name(), ctr("images", "label", alias, PINNED));
    }
  }

  private List<String> ctr(String... args) {
    List<String> command = new ArrayList<>(List.of(tools.containerdBinary("ctr").toString(), "--address",
        socket().toString(), "--namespace", "k8s.io"));
    command.addAll(List.of(args));
    return command;
  }

  /** The process of a container (by its containerd id) running on this node. */
  long taskPid(String containerId) {
    for (String line : HostCommand.run("list " + name() + "'s containers", ctr("tasks", "list")).split("\n")) {
      String[] fields = line.strip().split("\\s+");
      if (fields.length >= 3 && fields[0].equals(containerId) && fields[2].equals("RUNNING")) {
        return Long.parseLong(fields[1]);
      }
    }
    throw new IllegalStateException("container " + containerId + " does not run on " + name());
  }

  /** Where the kubelet keeps a pod's emptyDir volume on this machine. */
  Path emptyDirPath(String podUid, String volume) {
    return dir.resolve("kubelet/pods").resolve(podUid).resolve("volumes/kubernetes.io~empty-dir").resolve(volume);
  }

  Path socket() {
    return dir.resolve("containerd.sock");
  }

  private void startKubelet() throws IOException {
    Files.writeString(dir.resolve("resolv.conf"), "nameserver " + RigAddresses.DNS_IP + "\n");
    Files.writeString(dir.resolve("kubelet.yaml"), """
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        # cgroup v1 with cgroupfs here; Kubernetes 1.35 refuses cgroup v1 unless failCgroupV1 is false
        cgroupDriver: cgroupfs
        cgroupRoot: /%s
        failCgroupV1: false
        failSwapOn: false
        containerRuntimeEndpoint: unix://%s
        staticPodPath: %s
        podLogsDir: %s
        clusterDNS: [%s]
        clusterDomain: %s
        resolvConf: %s
        # the nodes share one disk and one memory: only a real shortage may evict, never another node's use
        evictionHard: {memory.available: "1Mi", nodefs.available: "1%%", imagefs.available: "1%%", nodefs.inodesFree: "1%%"}
        imageGCHighThresholdPercent: 100
        imageGCLowThresholdPercent: 99
        # the API server reaches the kubelet (logs, exec) on the node's address only, from this machine
        authentication: {anonymous: {enabled: true}, webhook: {enabled: false}}
        authorization: {mode: AlwaysAllow}
        address: %s
        readOnlyPort: 0
        healthzBindAddress: 127.0.0.1
        serializeImagePulls: false
        """.formatted(name(), socket(), Rig.STATIC_POD_PATH, dir.resolve("pod-logs"), RigAddresses.DNS_IP, RigAddresses.CLUSTER_DOMAIN,
        dir.resolve("resolv.conf"), ip()));
    kubelet = ManagedProcess.start(name() + "-kubelet", inNodeCommand(List.of(tools.nodeBinary("kubelet").toString(),
        "--config=" + dir.resolve("kubelet.yaml"), "--kubeconfig=" + controlPlane.nodeKubeconfig(name()),
        "--root-dir=" + dir.resolve("kubelet"), "--node-ip=" + ip(), "--hostname-override=" + name(), "--v=1")),
        null, dir, logs.resolve(name() + "-kubelet.log"));
  }

  private void startKubeProxy() throws IOException {
    Files.writeString(dir.resolve("kube-proxy.yaml"), """
        apiVersion: kubeproxy.config.k8s.io/v1alpha1
        kind: KubeProxyConfiguration
        mode: nftables
        clientConnection: {kubeconfig: %s}
        hostnameOverride: %s
        bindAddress: %s
        healthzBindAddress: 127.0.0.1:10256
        metricsBindAddress: 127.0.0.1:10249
        clusterCIDR: %s
        # a pod reaching a Service backed by a pod on its own bridge: the answer must come back through the node
        nftables: {masqueradeAll: true}
        # conntrack settings are the machine's, shared by every namespace: left as they are
        conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
        """.formatted(controlPlane.kubeProxyKubeconfig(), name(), ip(), RigAddresses.POD_SUBNET));
    kubeProxy = ManagedProcess.start(name() + "-kube-proxy", inNodeCommand(List.of(
        tools.nodeBinary("kube-proxy").toString(), "--config=" + dir.resolve("kube-proxy.yaml"), "--v=1")),
        null, dir, logs.resolve(name() + "-kube-proxy.log"));
  }

  /** {@code command} as run inside the node's namespaces. */
  public List<String> inNodeCommand(List<String> command) {
    List<String> full = new ArrayList<>(List.of("nsenter", "--target", Long.toString(holderPid), "--net", "--mount",
        "--"));
    full.addAll(command);
    return full;
  }

  public String inNode(String purpose, String... command) {
    return HostCommand.run(purpose, inNodeCommand(List.of(command)));
  }

  /**
   * A node's host path as this machine reaches it: through the holder's root, so reads and writes go through the
   * node's own mounts (its overlays), and the kubelet's file watches see a written static pod manifest.
   */
  public Path hostPath(String path) {
    return Path.of("/proc", Long.toString(holderPid), "root", path.replaceFirst("^/+", ""));
  }

  // --- faults: a node that stops, or loses its link ---

  /**
   * The node fails as a machine does when it loses power: its pods' processes die with kubelet, kube-proxy and
   * containerd, and its link goes down. Its pods' API objects stay as they were, as nobody is left to update them.
   */
  public void powerOff() {
    cutLink();
    kubeProxy.stop(Duration.ofSeconds(5));
    kubelet.stop(Duration.ofSeconds(5));
    NodeCgroups.killAll(name());
    containerd.stop(Duration.ofSeconds(5));
    HostHygiene.killMatching(socket().toString());
  }

  /** The node comes back: its link, containerd, kubelet and kube-proxy; the kubelet finds its pods stopped. */
  public void powerOn() {
    restoreLink();
    startKubeletAndContainerd();
    if (kubeProxy == null || !kubeProxy.isAlive()) {
      try {
        startKubeProxy();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The node fails: kubelet and containerd stop (their pods keep running, cut off from any control). */
  public void stopKubeletAndContainerd() {
    kubelet.stop(Duration.ofSeconds(5));
    containerd.stop(Duration.ofSeconds(5));
  }

  public boolean kubeletRunning() {
    return kubelet != null && kubelet.isAlive();
  }

  /** Brings a stopped kubelet and containerd back; the kubelet adopts the pods it finds. */
  public void startKubeletAndContainerd() {
    try {
      if (containerd == null || !containerd.isAlive()) {
        startContainerd();
      }
      if (!kubeletRunning()) {
        startKubelet();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Restarts the kubelet alone, as a node's update or a crash would. */
  public void restartKubelet() {
    kubelet.stop(Duration.ofSeconds(5));
    try {
      startKubelet();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Takes the node's link down: it and its pods are unreachable, and reach nothing. */
  public void cutLink() {
    HostCommand.run("cut " + name() + "'s link", "ip", "link", "set", RigAddresses.hostVeth(index), "down");
  }

  public void restoreLink() {
    HostCommand.run("restore " + name() + "'s link", "ip", "link", "set", RigAddresses.hostVeth(index), "up");
  }

  @Override
  public void close() {
    for (ManagedProcess process : new ManagedProcess[] { kubeProxy, kubelet }) {
      if (process != null) {
        process.stop(Duration.ofSeconds(5));
      }
    }
    // the pods: every process under the node's cgroup root, then containerd and its shims
    NodeCgroups.killAll(name());
    if (containerd != null) {
      containerd.stop(Duration.ofSeconds(5));
    }
    HostHygiene.killMatching(socket().toString());
    if (holder != null) {
      holder.stop(Duration.ofSeconds(5));
    }
    HostHygiene.killMatching(name() + HOLDER_SUFFIX);
    HostCommand.attempt("ip", "link", "del", RigAddresses.hostVeth(index));
    NodeCgroups.remove(name());
    // the node's disk goes with it (images, pods, volumes: gigabytes over a suite); its logs and settings stay
    for (String state : List.of("containerd", "containerd-state", "runc", "kubelet", "volumes", "etc-upper",
        "etc-work", "var-upper", "var-work")) {
      try {
        Rig.deleteRecursively(dir.resolve(state));
      } catch (IOException e) {
        // a file held by a process that is still going away: the next rig's start deletes the directory anyway
      }
    }
  }
}
