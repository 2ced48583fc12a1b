package dev.quorum.rig;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The rig's node agent: registers Ready nodes and keeps their leases fresh, schedules pending pods onto them
 * (it is the scheduler), provisions host-directory volumes for claims, and runs bound pods as local processes
 * ({@link PodRunner}). Deleting a pod stops its processes gracefully before the pod object goes.
 */
public final class LocalKubelet implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(LocalKubelet.class);

  private final KubernetesClient client;
  private final Images images;
  private final Path dir;
  private final Path logs;
  private final List<String> nodeNames;
  private final Map<String, String> apiServerEnv;
  private final RigNetwork network;
  private final Volumes volumes;
  private final PodCgroups cgroups = new PodCgroups();
  private final NetworkCuts cuts = new NetworkCuts();
  private final Map<String, PodRunner> runners = new ConcurrentHashMap<>(); // by pod uid
  private final ScheduledExecutorService sync = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "kubelet-sync"));
  private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "kubelet-heartbeat"));
  private final java.util.concurrent.ExecutorService terminations = Executors.newCachedThreadPool(r -> daemon(r, "kubelet-stop"));
  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<PersistentVolumeClaim> claims;
  private volatile boolean closed;

  public LocalKubelet(KubernetesClient client, Images images, Path dir, Path logs, List<String> nodeNames,
      Map<String, String> apiServerEnv, String clusterDomain) {
    this.client = client;
    this.images = images;
    this.dir = dir;
    this.logs = logs;
    this.nodeNames = List.copyOf(nodeNames);
    this.apiServerEnv = Map.copyOf(apiServerEnv);
    this.network = new RigNetwork(clusterDomain);
    this.volumes = new Volumes(client, dir.resolve("volumes"), dir.resolve("nodes"));
  }

  public LocalKubelet start() {
    try {
      Files.createDirectories(dir);
      Files.createDirectories(logs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int i = 0; i < nodeNames.size(); i++) {
      registerNode(nodeNames.get(i), RigNetwork.nodeIp(i));
      try {
        Files.createDirectories(staticPodDirectory(nodeNames.get(i)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    heartbeat.scheduleWithFixedDelay(this::heartbeat, 10, 10, TimeUnit.SECONDS);
    ResourceEventHandler<Object> onChange = new ResourceEventHandler<>() {
      public void onAdd(Object obj) {
        requestSync();
      }

      public void onUpdate(Object oldObj, Object newObj) {
        requestSync();
      }

      public void onDelete(Object obj, boolean unknownFinalState) {
        requestSync();
      }
    };
    pods = client.pods().inAnyNamespace().inform(cast(onChange), 30_000);
    services = client.services().inAnyNamespace().inform(cast(onChange), 30_000);
    claims = client.persistentVolumeClaims().inAnyNamespace().inform(cast(onChange), 30_000);
    sync.scheduleWithFixedDelay(this::syncAll, 1, 2, TimeUnit.SECONDS); // also a safety net for missed events
    return this;
  }

  @SuppressWarnings("unchecked")
  private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> handler) {
    return (ResourceEventHandler<T>) (ResourceEventHandler<?>) handler;
  }

  private final java.util.concurrent.atomic.AtomicBoolean syncQueued = new java.util.concurrent.atomic.AtomicBoolean();

  private void requestSync() {
    if (!closed && syncQueued.compareAndSet(false, true)) {
      sync.execute(() -> {
        syncQueued.set(false);
        syncAll();
      });
    }
  }

  // ---- one reconciliation pass over everything the kubelet owns ----

  private synchronized void syncAll() {
    if (closed || pods == null || services == null || claims == null) {
      return; // informers still starting; their initial events sync again
    }
    try {
      provisionVolumes();
      syncStaticPods();
      List<Pod> all = pods.getStore().list();
      for (Pod pod : all) {
        syncPod(pod);
      }
      // pods deleted from the API without going through graceful deletion
      var known = all.stream().map(p -> p.getMetadata().getUid()).collect(java.util.stream.Collectors.toSet());
      for (PodRunner runner : List.copyOf(runners.values())) {
        if (!known.contains(runner.uid())) {
          runners.remove(runner.uid());
          terminations.execute(() -> runner.stop(Duration.ofSeconds(2)));
        }
      }
      network.refresh(all, services.getStore().list());
    } catch (RuntimeException e) {
      LOG.warn("kubelet sync failed; retrying", e);
    }
  }

  private void syncPod(Pod pod) {
    String node = pod.getSpec().getNodeName();
    String uid = pod.getMetadata().getUid();
    if (node == null) {
      if (pod.getMetadata().getDeletionTimestamp() == null) {
        schedule(pod);
      }
      return;
    }
    if (!nodeNames.contains(node)) {
      return;
    }
    PodRunner runner = runners.get(uid);
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      if (runner != null) {
        runners.remove(uid);
        long grace = Objects.requireNonNullElse(pod.getMetadata().getDeletionGracePeriodSeconds(), 30L);
        PodRunner terminating = runner;
        stopping.add(uid);
        terminations.execute(() -> {
          terminating.stop(Duration.ofSeconds(grace));
          forceDelete(pod);
        });
      } else if (!stopping.contains(uid)) {
        stopping.add(uid);
        terminations.execute(() -> forceDelete(pod));
      }
      return;
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if (runner == null && !"Succeeded".equals(phase) && !"Failed".equals(phase)) {
      runner = new PodRunner(this, pod, RigNetwork.nodeIp(nodeNames.indexOf(node)));
      runners.put(uid, runner);
      runner.start();
    } else if (runner != null) {
      runner.update(pod);
    }
  }

  private final java.util.Set<String> stopping = ConcurrentHashMap.newKeySet();

  // ---- static pods: manifests in a node's directory, each kept as a mirror pod that runs like any other ----

  static final String CONFIG_SOURCE = "kubernetes.io/config.source";
  static final String CONFIG_HASH = "kubernetes.io/config.hash";
  static final String CONFIG_MIRROR = "kubernetes.io/config.mirror";

  public List<String> nodeNames() {
    return nodeNames;
  }

  /** kubeadm's --pod-manifest-path, on every node. */
  public static final String STATIC_POD_PATH = "/etc/kubernetes/manifests";

  /**
   * A node's static pod directory: manifests put here run on that node. It is the node's own
   * {@value #STATIC_POD_PATH}, so a pod on that node with a hostPath volume of that path writes into it, as a
   * node agent would.
   */
  public Path staticPodDirectory(String node) {
    return volumes.hostPath(node, STATIC_POD_PATH);
  }

  /** The machine directory that stands for {@code path} on {@code node}, where its hostPath volumes live. */
  public Path nodeHostPath(String node, String path) {
    return volumes.hostPath(node, path);
  }

  /**
   * Keeps one mirror pod ({@code <name>-<node>}) per manifest in each node's static pod directory: created when the
   * file appears, replaced when it changes, deleted when it goes. Unlike a real kubelet, the rig runs the static pod
   * through its mirror, so a mirror pod deleted through the API restarts it.
   */
  private void syncStaticPods() {
    for (String node : nodeNames) {
      Map<String, Pod> desired = new java.util.HashMap<>();
      try (var files = Files.list(staticPodDirectory(node))) {
        for (Path file : files.filter(f -> f.toString().matches(".*[.](yaml|yml|json)$")).sorted().toList()) {
          String text = Files.readString(file);
          Pod manifest;
          try {
            manifest = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(text, Pod.class);
          } catch (RuntimeException e) {
            LOG.warnf("static pod manifest %s cannot be read: %s", file, e.getMessage());
            continue;
          }
          Pod mirror = mirror(manifest, node, Integer.toHexString(text.hashCode()));
          desired.put(mirror.getMetadata().getNamespace() + "/" + mirror.getMetadata().getName(), mirror);
        }
      } catch (IOException e) {
        LOG.warnf("static pod directory of %s cannot be read: %s", node, e.getMessage());
        continue;
      }
      for (Pod existing : pods.getStore().list()) {
        String key = existing.getMetadata().getNamespace() + "/" + existing.getMetadata().getName();
        Map<String, String> annotations = existing.getMetadata().getAnnotations();
        boolean mirrorOfThisNode = annotations != null && annotations.containsKey(CONFIG_MIRROR)
            && node.equals(existing.getSpec().getNodeName());
        Pod wanted = desired.get(key);
        if (mirrorOfThisNode && existing.getMetadata().getDeletionTimestamp() == null && (wanted == null
            || !wanted.getMetadata().getAnnotations().get(CONFIG_HASH).equals(annotations.get(CONFIG_HASH)))) {
          client.pods().inNamespace(existing.getMetadata().getNamespace()).withName(existing.getMetadata().getName())
              .delete(); // gracefully: the next pass creates the changed one once it is gone
        }
        if (wanted != null) {
          desired.remove(key);
        }
      }
      for (Pod mirror : desired.values()) {
        try {
          client.pods().inNamespace(mirror.getMetadata().getNamespace()).resource(mirror).create();
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409) {
            LOG.warnf("creating mirror pod %s failed: %s", mirror.getMetadata().getName(), e.getMessage());
          }
        }
      }
    }
  }

  private final Map<String, String> nodeUids = new ConcurrentHashMap<>();

  private String nodeUid(String node) {
    return nodeUids.get(node);
  }

  private Pod mirror(Pod manifest, String node, String hash) {
    String namespace = Objects.requireNonNullElse(manifest.getMetadata().getNamespace(), "default");
    Map<String, String> annotations = new java.util.HashMap<>(
        Objects.requireNonNullElse(manifest.getMetadata().getAnnotations(), Map.of()));
    annotations.put(CONFIG_SOURCE, "file");
    annotations.put(CONFIG_HASH, hash);
    annotations.put(CONFIG_MIRROR, hash);
    return new io.fabric8.kubernetes.api.model.PodBuilder(manifest)
        .editMetadata().withName(manifest.getMetadata().getName() + "-" + node).withNamespace(namespace)
        .withAnnotations(annotations)
        .addNewOwnerReference().withApiVersion("v1").withKind("Node").withName(node)
        .withUid(nodeUid(node)).withController(true).endOwnerReference()
        .endMetadata()
        .editSpec().withNodeName(node).endSpec()
        .build();
  }

  private void forceDelete(Pod pod) {
    try {
      Pod current = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
      if (current != null && current.getMetadata().getUid().equals(pod.getMetadata().getUid())) {
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
            .withGracePeriod(0).delete();
      }
    } catch (KubernetesClientException e) {
      LOG.debug("final delete of pod failed", e);
    } finally {
      stopping.remove(pod.getMetadata().getUid());
    }
  }

  // ---- scheduling: bind pending pods whose claims are bound to the least loaded matching node ----

  private void schedule(Pod pod) {
    String scheduler = pod.getSpec().getSchedulerName();
    if (scheduler != null && !"default-scheduler".equals(scheduler)) {
      return;
    }
    for (var volume : Objects.requireNonNullElse(pod.getSpec().getVolumes(), List.<io.fabric8.kubernetes.api.model.Volume>of())) {
      if (volume.getPersistentVolumeClaim() != null) {
        PersistentVolumeClaim claim = claims.getStore().getByKey(pod.getMetadata().getNamespace() + "/"
            + volume.getPersistentVolumeClaim().getClaimName());
        if (claim == null || claim.getStatus() == null || !"Bound".equals(claim.getStatus().getPhase())) {
          return; // like the real scheduler: wait for the claim
        }
      }
    }
    Map<String, String> selector = pod.getSpec().getNodeSelector();
    List<String> candidates = new ArrayList<>();
    for (String node : nodeNames) {
      Node live = client.nodes().withName(node).get();
      Map<String, String> labels = live == null || live.getMetadata().getLabels() == null ? nodeLabels(node)
          : live.getMetadata().getLabels();
      if ((selector == null || selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey()))))
          && NodeAffinityTerms.required(pod, node, labels)) {
        candidates.add(node);
      }
    }
    if (candidates.isEmpty()) {
      event(pod, "Warning", "FailedScheduling", "0/" + nodeNames.size() + " nodes match the pod's node selector");
      return;
    }
    Map<String, Long> load = new java.util.HashMap<>();
    for (Pod p : pods.getStore().list()) {
      if (p.getSpec().getNodeName() != null) {
        load.merge(p.getSpec().getNodeName(), 1L, Long::sum);
      }
    }
    String node = candidates.stream().min(Comparator.comparing(n -> load.getOrDefault(n, 0L))).orElseThrow();
    try {
      client.bindings().inNamespace(pod.getMetadata().getNamespace()).resource(new io.fabric8.kubernetes.api.model.BindingBuilder()
          .withNewMetadata().withName(pod.getMetadata().getName()).withNamespace(pod.getMetadata().getNamespace())
          .withUid(pod.getMetadata().getUid()).endMetadata()
          .withTarget(new ObjectReferenceBuilder().withKind("Node").withApiVersion("v1").withName(node).build())
          .build()).create();
      event(pod, "Normal", "Scheduled", "Successfully assigned " + pod.getMetadata().getNamespace() + "/"
          + pod.getMetadata().getName() + " to " + node);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        LOG.debug("binding failed", e);
      }
    }
  }

  static Map<String, String> nodeLabels(String node) {
    return Map.of("kubernetes.io/hostname", node, "kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64");
  }

  // ---- volumes: a host-directory PersistentVolume for each pending claim; the real binder binds them ----

  private void provisionVolumes() {
    for (PersistentVolumeClaim claim : claims.getStore().list()) {
      if (claim.getStatus() != null && "Bound".equals(claim.getStatus().getPhase())
          || claim.getSpec().getVolumeName() != null && !claim.getSpec().getVolumeName().isEmpty()
          || claim.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      String pvName = "rig-" + claim.getMetadata().getUid();
      if (provisioned.contains(pvName)) {
        continue;
      }
      Path hostDir = volumes.claimDirectory(claim);
      Quantity size = claim.getSpec().getResources() == null || claim.getSpec().getResources().getRequests() == null
          ? new Quantity("1Gi") : claim.getSpec().getResources().getRequests().getOrDefault("storage", new Quantity("1Gi"));
      try {
        Files.createDirectories(hostDir);
        PersistentVolume pv = new PersistentVolumeBuilder()
            .withNewMetadata().withName(pvName).addToLabels("rig.quorum.dev/provisioned", "true").endMetadata()
            .withNewSpec()
            .withCapacity(Map.of("storage", size))
            .withAccessModes(claim.getSpec().getAccessModes())
            .withStorageClassName(Objects.requireNonNullElse(claim.getSpec().getStorageClassName(), ""))
            .withPersistentVolumeReclaimPolicy("Retain")
            .withNewHostPath().withPath(hostDir.toString()).endHostPath()
            .withNewClaimRef().withNamespace(claim.getMetadata().getNamespace())
            .withName(claim.getMetadata().getName()).withUid(claim.getMetadata().getUid()).endClaimRef()
            .endSpec().build();
        client.persistentVolumes().resource(pv).create();
        provisioned.add(pvName);
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          provisioned.add(pvName);
        } else {
          LOG.warnf(e, "provisioning %s failed", pvName);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final java.util.Set<String> provisioned = ConcurrentHashMap.newKeySet();

  // ---- nodes ----

  private void registerNode(String name, String ip) {
    Node node = new NodeBuilder().withNewMetadata().withName(name).withLabels(nodeLabels(name)).endMetadata()
        .withNewSpec().endSpec().build();
    nodeUids.put(name, client.nodes().resource(node).createOr(existing -> existing.update()).getMetadata().getUid());
    writeNodeStatus(name, ip);
    client.leases().inNamespace("kube-node-lease").resource(new LeaseBuilder()
        .withNewMetadata().withName(name).withNamespace("kube-node-lease").endMetadata()
        .withNewSpec().withHolderIdentity(name).withLeaseDurationSeconds(40)
        .withRenewTime(ZonedDateTime.now()).endSpec().build()).createOr(existing -> existing.update());
  }

  private void writeNodeStatus(String name, String ip) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    Map<String, Object> status = Map.of(
        "capacity", Map.of("cpu", "8", "memory", "32Gi", "pods", "110", "ephemeral-storage", "100Gi"),
        "allocatable", Map.of("cpu", "8", "memory", "32Gi", "pods", "110", "ephemeral-storage", "100Gi"),
        "addresses", List.of(Map.of("type", "InternalIP", "address", ip), Map.of("type", "Hostname", "address", name)),
        "conditions", List.of(
            condition("Ready", "True", "KubeletReady", "the rig's local kubelet is posting ready status", now),
            condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "", now),
            condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "", now),
            condition("PIDPressure", "False", "KubeletHasSufficientPID", "", now)),
        "nodeInfo", Map.of("kubeletVersion", "v0.0.0-rig", "kubeProxyVersion", "", "operatingSystem", "linux",
            "architecture", "amd64", "containerRuntimeVersion", "rig://local-processes", "osImage", "quorum rig",
            "kernelVersion", "", "machineID", "", "systemUUID", "", "bootID", ""));
    client.nodes().withName(name).subresource("status")
        .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), Serialization.asJson(Map.of("status", status)));
  }

  private static Map<String, String> condition(String type, String status, String reason, String message, String now) {
    return Map.of("type", type, "status", status, "reason", reason, "message", message,
        "lastHeartbeatTime", now, "lastTransitionTime", now);
  }

  private void heartbeat() {
    for (int i = 0; i < nodeNames.size(); i++) {
      String name = nodeNames.get(i);
      try {
        writeNodeStatus(name, RigNetwork.nodeIp(i));
        client.leases().inNamespace("kube-node-lease").withName(name)
            .edit(l -> { l.getSpec().setRenewTime(ZonedDateTime.now()); return l; });
      } catch (RuntimeException e) {
        LOG.debugf(e, "heartbeat of %s failed", name);
      }
    }
  }

  // ---- what pods and tests use ----

  void event(Pod pod, String type, String reason, String message) {
    try {
      client.v1().events().inNamespace(pod.getMetadata().getNamespace()).resource(new EventBuilder()
          .withNewMetadata().withName(pod.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
          .withNamespace(pod.getMetadata().getNamespace()).endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder().withKind("Pod").withApiVersion("v1")
              .withName(pod.getMetadata().getName()).withNamespace(pod.getMetadata().getNamespace())
              .withUid(pod.getMetadata().getUid()).build())
          .withType(type).withReason(reason).withMessage(message)
          .withNewSource().withComponent("rig-kubelet").endSource()
          .withFirstTimestamp(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
          .withLastTimestamp(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
          .withCount(1).build()).create();
    } catch (KubernetesClientException e) {
      LOG.debug("event not recorded", e);
    }
  }

  String hostsFor(Pod pod) {
    return network.hostsFor(pod, pods.getStore().list(), services.getStore().list());
  }

  /** Kills a container's process the way a crash does; the restart policy brings it back after {@code downFor}. */
  public boolean killContainer(String namespace, String pod, String container, Duration downFor) {
    return runners.values().stream().filter(r -> r.key().equals(namespace + "/" + pod)).findFirst()
        .map(r -> r.killContainer(container, downFor)).orElse(false);
  }

  /**
   * A hosts file that resolves every pod and Service DNS name of the rig, kept current; a process whose mount
   * namespace has it at /etc/hosts resolves names as a pod would. Dropped by {@link #dropClusterDns}.
   */
  public Path clusterDns(String client) {
    try {
      Path hosts = dir.resolve("clients").resolve(client).resolve("hosts");
      Files.createDirectories(hosts.getParent());
      network.registerClient(client, hosts, pods.getStore().list(), services.getStore().list());
      return hosts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void dropClusterDns(String client) {
    network.unregisterClient(client);
  }

  /** The command prefix that runs a program with {@code hostsFile} as its /etc/hosts (needs unshare and mount). */
  public static List<String> withHostsFile(Path hostsFile) {
    return List.of("unshare", "--mount", "--propagation", "private", "--",
        "/bin/sh", "-c", "mount --bind \"$0\" /etc/hosts && exec \"$@\"", hostsFile.toString());
  }

  /** What a command run "inside the cluster" printed, and its exit code. */
  public record ClientResult(int exitCode, String output) {
  }

  /**
   * Runs a command as a client pod in {@code namespace} would: cluster DNS names (pods and Services) resolve
   * through the rig's hosts file. For etcdctl and friends against the cluster's Services.
   */
  public ClientResult runInCluster(String namespace, Duration timeout, String... argv) {
    try {
      Pod client = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("rig-client")
          .withNamespace(namespace).endMetadata().withNewSpec().endSpec().build();
      Path hosts = dir.resolve("clients").resolve(namespace).resolve("hosts");
      Files.createDirectories(hosts.getParent());
      RigNetwork.writeInPlace(hosts, network.hostsFor(client, pods.getStore().list(), services.getStore().list())
          .replaceFirst("^\\S+ localhost rig-client", "127.0.0.1 localhost rig-client"));
      List<String> command = new ArrayList<>(withHostsFile(hosts));
      command.addAll(List.of(argv));
      Path out = Files.createTempFile(dir, "client", ".log");
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        return new ClientResult(-1, Files.readString(out) + "\n(timed out after " + timeout + ")");
      }
      String output = Files.readString(out);
      Files.deleteIfExists(out);
      return new ClientResult(process.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  RigNetwork network() {
    return network;
  }

  PodCgroups cgroups() {
    return cgroups;
  }

  /** What tests can do to the members this kubelet runs: {@link NodeFaults}. */
  public NodeFaults faults() {
    return new RigFaults(this, client, cuts);
  }

  /** The runner of a pod that runs here now, by namespace and name. */
  java.util.Optional<PodRunner> runner(String namespace, String pod) {
    return runners.values().stream().filter(r -> r.key().equals(namespace + "/" + pod)).findFirst();
  }

  Volumes volumes() {
    return volumes;
  }

  Images images() {
    return images;
  }

  KubernetesClient client() {
    return client;
  }

  Map<String, String> apiServerEnv() {
    return apiServerEnv;
  }

  Path podDirectory(String uid) {
    return dir.resolve("pods").resolve(uid);
  }

  Path logDirectory() {
    return logs;
  }

  @Override
  public void close() {
    closed = true;
    sync.shutdownNow();
    heartbeat.shutdownNow();
    for (SharedIndexInformer<?> informer : new SharedIndexInformer<?>[] { pods, services, claims }) {
      if (informer != null) {
        informer.close();
      }
    }
    List<PodRunner> all = List.copyOf(runners.values());
    runners.clear();
    all.parallelStream().forEach(r -> r.stop(Duration.ofSeconds(5)));
    terminations.shutdownNow();
    cuts.close();
    cgroups.close();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
