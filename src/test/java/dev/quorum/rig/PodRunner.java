package dev.quorum.rig;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Runs one pod as local processes: volumes, init containers in order, then the containers, each restarted
 * with back-off per the restart policy, probed, and reported truthfully in the pod's status. Each process
 * runs in a private mount namespace where the pod's hosts file is /etc/hosts and its volumes are mounted at
 * their mount paths; it shares the host's network, so addresses meaning "this host" become the pod's address.
 */
final class PodRunner {

  private static final Logger LOG = Logger.getLogger(PodRunner.class);
  private static final Duration TICK = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(20);

  private final LocalKubelet kubelet;
  private final String namespace;
  private final String name;
  private final String uid;
  private final String podIp;
  private final String hostIp;
  private final Path podDir;
  private final Thread thread;
  private final Instant startTime = Instant.now();
  private volatile Pod pod;
  private volatile boolean stopping;
  private volatile Duration stopGrace = Duration.ofSeconds(30);
  private final Map<String, ContainerRun> containers = new LinkedHashMap<>();
  private final Map<String, ContainerRun> initContainers = new LinkedHashMap<>();
  private Map<String, Path> volumePaths = Map.of();
  private String phase = "Pending";
  private boolean prepared;
  private boolean initialized;
  private String podMessage;
  private String podReason;
  private String lastPushed;
  private final Prober prober;

  PodRunner(LocalKubelet kubelet, Pod pod, String hostIp) {
    this.kubelet = kubelet;
    this.pod = pod;
    this.namespace = pod.getMetadata().getNamespace();
    this.name = pod.getMetadata().getName();
    this.uid = pod.getMetadata().getUid();
    // a pod on the host network has the node's address, as a static etcd pod's members reach each other by
    this.podIp = Boolean.TRUE.equals(pod.getSpec().getHostNetwork()) ? hostIp : RigNetwork.podIp(namespace, name);
    this.hostIp = hostIp;
    this.podDir = kubelet.podDirectory(uid);
    for (Container c : list(pod.getSpec().getInitContainers())) {
      initContainers.put(c.getName(), new ContainerRun(c, true));
    }
    for (Container c : list(pod.getSpec().getContainers())) {
      containers.put(c.getName(), new ContainerRun(c, false));
    }
    this.prober = new Prober(podIp);
    this.thread = new Thread(this::run, "pod-" + namespace + "-" + name);
    this.thread.setDaemon(true);
  }

  String uid() {
    return uid;
  }

  String podIp() {
    return podIp;
  }

  String key() {
    return namespace + "/" + name;
  }

  Path hostsFile() {
    return podDir.resolve("hosts");
  }

  void update(Pod latest) {
    this.pod = latest;
  }

  void start() {
    thread.start();
  }

  /** SIGTERM every container, SIGKILL after the grace period; returns when all are gone. */
  void stop(Duration grace) {
    stopGrace = grace;
    stopping = true;
    thread.interrupt();
    try {
      thread.join(grace.toMillis() + 30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!thread.isAlive()) {
      removeEmptyDirs();
    }
  }

  /**
   * As a real kubelet does: a pod's emptyDir volumes go with it. An ephemeral etcd member holding a large database
   * would otherwise leave a GiB or more under target/ for the rest of the suite.
   */
  private void removeEmptyDirs() {
    for (Volume volume : list(pod.getSpec().getVolumes())) {
      if (volume.getEmptyDir() == null) {
        continue;
      }
      Path dir = podDir.resolve("volumes").resolve(volume.getName());
      if (!Files.exists(dir)) {
        continue;
      }
      try (var walk = Files.walk(dir)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException | java.io.UncheckedIOException e) {
        LOG.warnf("could not remove the emptyDir %s of pod %s: %s", dir, key(), e.toString());
      }
    }
  }

  /**
   * Kills one container's process as a crash would (SIGKILL). The restart policy brings it back, at the
   * earliest after {@code downFor}: a crash-looping container stays down for a while, too.
   */
  boolean killContainer(String containerName, Duration downFor) {
    ContainerRun run = containers.get(containerName);
    if (run == null || run.process == null || !run.process.isAlive()) {
      return false;
    }
    run.minimumDownUntil = Instant.now().plus(downFor);
    run.process.kill();
    return true;
  }

  // ---- lifecycle, on the pod's own thread ----

  private void run() {
    try {
      Files.createDirectories(podDir);
      RigNetwork.writeInPlace(hostsFile(), kubelet.hostsFor(pod));
      kubelet.network().registerPod(key(), pod, hostsFile());
      pushStatus();
      prepare();
      if (!stopping && runInitContainers()) {
        initialized = true;
        superviseContainers();
      }
    } catch (InterruptedException e) {
      // stopping
    } catch (Exception e) {
      LOG.warnf(e, "pod %s failed in the rig", key());
      podReason = "RigError";
      podMessage = e.toString();
    } finally {
      stopAll();
      kubelet.cgroups().remove(uid);
      kubelet.network().unregisterPod(key());
      if (!stopping) {
        pushStatus();
      }
    }
  }

  private void prepare() throws Exception {
    while (!stopping) {
      try {
        volumePaths = kubelet.volumes().prepare(pod, podDir);
        for (ContainerRun run : allRuns()) {
          run.resolve();
        }
        prepared = true;
        return;
      } catch (Images.UnknownImageException e) {
        markAllWaiting("ErrImagePull", e.getMessage());
        kubelet.event(pod, "Warning", "Failed", e.getMessage());
        pushStatus();
        sleep(Duration.ofSeconds(5));
      } catch (Volumes.NotReadyException e) {
        markAllWaiting("ContainerCreating", e.getMessage());
        pushStatus();
        sleep(Duration.ofSeconds(1));
      }
    }
  }

  private boolean runInitContainers() throws InterruptedException {
    for (ContainerRun run : initContainers.values()) {
      Duration backoff = Duration.ofSeconds(1);
      while (!stopping) {
        run.launch();
        pushStatus();
        while (run.process.isAlive() && !stopping) {
          sleep(TICK);
        }
        if (stopping) {
          return false;
        }
        run.terminated(run.process.process().exitValue());
        pushStatus();
        if (run.exitCode == 0) {
          break;
        }
        if ("Never".equals(pod.getSpec().getRestartPolicy())) {
          phase = "Failed";
          pushStatus();
          return false;
        }
        run.restartCount++;
        run.waiting("CrashLoopBackOff", "back-off " + backoff.toSeconds() + "s restarting failed container");
        pushStatus();
        sleep(backoff);
        backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
      }
    }
    return !stopping;
  }

  private void superviseContainers() throws InterruptedException {
    for (ContainerRun run : containers.values()) {
      run.launch();
    }
    phase = "Running";
    pushStatus();
    String restartPolicy = Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");
    while (!stopping) {
      boolean anyLive = false;
      for (ContainerRun run : containers.values()) {
        if (run.process != null && run.process.isAlive()) {
          anyLive = true;
          if (run.livenessFailed) {
            run.ready = false; // report it before the (graceful, possibly long) stop
            pushStatus();
            run.process.stop(Duration.ofSeconds(Objects.requireNonNullElse(
                pod.getSpec().getTerminationGracePeriodSeconds(), 30L)));
          }
          continue;
        }
        if (run.process != null && run.finishedAt == null) {
          run.terminated(run.process.process().exitValue());
        }
        boolean restart = "Always".equals(restartPolicy)
            || ("OnFailure".equals(restartPolicy) && run.exitCode != 0);
        if (restart) {
          anyLive = true;
          if (run.restartAt == null) {
            Instant afterBackoff = Instant.now().plus(run.backoff);
            run.restartAt = run.minimumDownUntil != null && run.minimumDownUntil.isAfter(afterBackoff)
                ? run.minimumDownUntil : afterBackoff;
            run.minimumDownUntil = null;
            run.waiting("CrashLoopBackOff",
                "back-off " + run.backoff.toSeconds() + "s restarting failed container=" + run.spec.getName());
            run.backoff = min(run.backoff.multipliedBy(2), MAX_BACKOFF);
          } else if (Instant.now().isAfter(run.restartAt)) {
            run.restartCount++;
            run.restartAt = null;
            run.launch();
          }
        }
      }
      if (!anyLive) {
        phase = containers.values().stream().allMatch(r -> r.exitCode == 0) ? "Succeeded" : "Failed";
        pushStatus();
        return;
      }
      probeAll();
      pushStatus();
      sleep(TICK);
    }
  }

  private void probeAll() {
    for (ContainerRun run : containers.values()) {
      if (run.process == null || !run.process.isAlive() || run.startedAt == null) {
        continue;
      }
      Container spec = run.spec;
      if (!run.started) {
        Probe startup = spec.getStartupProbe();
        if (startup == null) {
          run.started = true;
        } else {
          Boolean result = run.startupState.probe(prober, startup, run, Instant.now());
          if (result == Boolean.TRUE) {
            run.started = true;
          } else if (result == Boolean.FALSE) {
            run.livenessFailed = true; // startup budget exhausted: restart, like a liveness failure
          }
          continue;
        }
      }
      if (spec.getLivenessProbe() != null
          && run.livenessState.probe(prober, spec.getLivenessProbe(), run, Instant.now()) == Boolean.FALSE) {
        run.livenessFailed = true;
        kubelet.event(pod, "Warning", "Unhealthy", "Liveness probe failed: " + run.livenessState.lastError);
      }
      if (spec.getReadinessProbe() == null) {
        run.ready = true;
      } else {
        Boolean result = run.readinessState.probe(prober, spec.getReadinessProbe(), run, Instant.now());
        if (result != null) {
          run.ready = result;
        }
      }
    }
  }

  private void stopAll() {
    List<ContainerRun> runs = allRuns();
    runs.forEach(r -> {
      if (r.process != null && r.process.isAlive()) {
        r.process.process().destroy(); // SIGTERM to all at once
      }
    });
    Instant deadline = Instant.now().plus(stopGrace);
    for (ContainerRun r : runs) {
      if (r.process != null) {
        r.process.stop(Duration.ofMillis(Math.max(0, Duration.between(Instant.now(), deadline).toMillis())));
        if (r.finishedAt == null) {
          r.terminated(r.process.process().isAlive() ? 137 : r.process.process().exitValue());
        }
      }
    }
  }

  private void markAllWaiting(String reason, String message) {
    allRuns().forEach(r -> r.waiting(reason, message));
  }

  private List<ContainerRun> allRuns() {
    List<ContainerRun> runs = new ArrayList<>(initContainers.values());
    runs.addAll(containers.values());
    return runs;
  }

  // ---- status ----

  private synchronized void pushStatus() {
    PodStatus status = status();
    String json = Serialization.asJson(status);
    if (json.equals(lastPushed)) {
      return;
    }
    try {
      kubelet.client().pods().inNamespace(namespace).withName(name).subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":" + json + "}");
      lastPushed = json;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        LOG.warnf("status of %s not written: %s", key(), e.getMessage());
      }
    }
  }

  PodStatus status() {
    boolean containersReady = phase.equals("Running") && containers.values().stream().allMatch(r -> r.ready);
    String now = "";
    List<PodCondition> conditions = List.of(
        condition("PodReadyToStartContainers", prepared ? "True" : "False"),
        condition("Initialized", initialized || initContainers.isEmpty() ? "True" : "False"),
        condition("Ready", containersReady ? "True" : "False"),
        condition("ContainersReady", containersReady ? "True" : "False"),
        condition("PodScheduled", "True"));
    return new PodStatusBuilder()
        .withPhase(phase)
        .withReason(podReason)
        .withMessage(podMessage)
        .withHostIP(hostIp).withHostIPs(new io.fabric8.kubernetes.api.model.HostIPBuilder().withIp(hostIp).build())
        .withPodIP(podIp).withPodIPs(new PodIPBuilder().withIp(podIp).build())
        .withStartTime(startTime.truncatedTo(ChronoUnit.SECONDS).toString())
        .withConditions(conditions)
        .withInitContainerStatuses(initContainers.values().stream().map(ContainerRun::status).toList())
        .withContainerStatuses(containers.values().stream().map(ContainerRun::status).toList())
        .build();
  }

  private final Map<String, String> conditionTimes = new LinkedHashMap<>();

  /** lastTransitionTime only moves when the status does, as Kubernetes expects. */
  private PodCondition condition(String type, String status) {
    String key = type + "=" + status;
    String time = conditionTimes.computeIfAbsent(key, k -> Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    conditionTimes.keySet().removeIf(k -> k.startsWith(type + "=") && !k.equals(key));
    return new PodConditionBuilder().withType(type).withStatus(status).withLastTransitionTime(time).build();
  }

  // ---- one container ----

  final class ContainerRun {
    final Container spec;
    final boolean init;
    Images.Runtime runtime;
    ManagedProcess process;
    int restartCount;
    Instant startedAt;
    Instant finishedAt;
    Integer exitCode;
    Instant restartAt;
    volatile Instant minimumDownUntil;
    Duration backoff = Duration.ofSeconds(1);
    String waitingReason = "ContainerCreating";
    String waitingMessage;
    volatile boolean ready;
    volatile boolean started;
    volatile boolean livenessFailed;
    Integer lastExitCode;
    String lastRunMessage;
    Instant lastStartedAt;
    Instant lastFinishedAt;
    final Prober.State startupState = new Prober.State();
    final Prober.State livenessState = new Prober.State();
    final Prober.State readinessState = new Prober.State();

    ContainerRun(Container spec, boolean init) {
      this.spec = spec;
      this.init = init;
    }

    void resolve() throws Images.UnknownImageException {
      runtime = kubelet.images().resolve(spec.getImage());
      Images.command(runtime, spec.getCommand(), List.of()); // fail early if the entrypoint is not there
    }

    void waiting(String reason, String message) {
      waitingReason = reason;
      waitingMessage = message;
    }

    void launch() {
      try {
        Map<String, String> env = Env.resolve(kubelet.client(), pod, spec, baseEnv());
        List<String> argv = Images.command(runtime, Env.expandAll(list(spec.getCommand()), env),
            Env.expandAll(list(spec.getArgs()), env)).stream()
            .map(a -> RigNetwork.localizeAddresses(a, podIp)).toList();
        env.replaceAll((k, v) -> RigNetwork.localizeAddresses(v, podIp));
        env.putAll(kubelet.apiServerEnv());
        Path log = logFile();
        Files.writeString(log, "---- " + Instant.now() + " start: " + String.join(" ", argv) + "\n",
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        if (process != null) {
          lastRunMessage = exitCode != null && exitCode != 0 ? lastRunLog() : null;
          lastExitCode = exitCode;
          lastStartedAt = startedAt;
          lastFinishedAt = finishedAt;
        }
        process = ManagedProcess.start(namespace + "/" + name + "/" + spec.getName(), wrap(argv), env,
            workingDir(), log);
        startedAt = Instant.now();
        finishedAt = null;
        exitCode = null;
        waitingReason = null;
        waitingMessage = null;
        ready = false;
        started = false;
        livenessFailed = false;
        startupState.reset();
        livenessState.reset();
        readinessState.reset();
      } catch (Volumes.NotReadyException | Images.UnknownImageException e) {
        waiting("CreateContainerConfigError", e.getMessage());
        finishedAt = Instant.now();
        exitCode = 1;
      } catch (IOException e) {
        waiting("RunContainerError", e.getMessage());
        finishedAt = Instant.now();
        exitCode = 1;
      }
    }

    void terminated(int code) {
      exitCode = code;
      finishedAt = Instant.now();
      ready = false;
      if (code == 0 && backoff.compareTo(Duration.ofSeconds(1)) > 0) {
        backoff = Duration.ofSeconds(1);
      }
    }

    /** The command run in a private mount namespace: the pod's hosts file and volumes mounted in place. */
    List<String> wrap(List<String> argv) {
      List<MountScript.Mount> mounts = new ArrayList<>();
      runtime.files().forEach((containerPath, hostPath) -> mounts.add(
          new MountScript.Mount(hostPath.toString(), containerPath, !Files.isDirectory(hostPath))));
      for (VolumeMount mount : list(spec.getVolumeMounts())) {
        Path source = volumePaths.get(mount.getName());
        if (source == null) {
          continue;
        }
        if (mount.getSubPath() != null && !mount.getSubPath().isEmpty()) {
          source = source.resolve(mount.getSubPath());
        }
        boolean file = Files.exists(source) && !Files.isDirectory(source);
        if (!Files.exists(source)) {
          try {
            Files.createDirectories(source);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
        mounts.add(new MountScript.Mount(source.toString(), mount.getMountPath(), file));
      }
      String script = MountScript.build(hostsFile().toString(), mounts, kubelet.cgroups().join(uid));

      List<String> wrapped = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--",
          "/bin/sh", "-c", script, spec.getName()));
      wrapped.addAll(argv);
      return wrapped;
    }

    private Path workingDir() {
      return podDir.resolve("work").resolve(spec.getName());
    }

    private Map<String, String> baseEnv() {
      Map<String, String> env = new LinkedHashMap<>();
      StringBuilder path = new StringBuilder();
      runtime.path().forEach(d -> path.append(d).append(':'));
      env.put("PATH", path + "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
      env.put("HOSTNAME", name);
      env.put("HOME", "/nonexistent"); // as for a user without a home: never the host's ~/.kube/config
      env.putAll(runtime.env());
      return env;
    }

    ContainerStatus status() {
      ContainerStatusBuilder b = new ContainerStatusBuilder()
          .withName(spec.getName())
          .withImage(spec.getImage())
          .withImageID("rig://" + spec.getImage())
          .withRestartCount(restartCount)
          .withReady(!init && ready && process != null && process.isAlive())
          .withStarted(process != null && process.isAlive() && (init || started));
      if (process != null) {
        b.withContainerID("rig://" + process.pid());
      }
      if (waitingReason != null) {
        b.withNewState().withNewWaiting().withReason(waitingReason).withMessage(waitingMessage).endWaiting().endState();
      } else if (process != null && finishedAt == null) {
        b.withNewState().withNewRunning().withStartedAt(time(startedAt)).endRunning().endState();
      } else if (finishedAt != null) {
        b.withNewState().withNewTerminated().withExitCode(exitCode).withReason(exitCode == 0 ? "Completed" : "Error")
            .withMessage(terminationMessage(exitCode, this::lastRunLog))
            .withStartedAt(time(startedAt)).withFinishedAt(time(finishedAt)).endTerminated().endState();
      }
      if (lastExitCode != null) {
        b.withNewLastState().withNewTerminated().withExitCode(lastExitCode)
            .withReason(lastExitCode == 0 ? "Completed" : "Error")
            .withMessage(terminationMessage(lastExitCode, () -> lastRunMessage))
            .withStartedAt(time(lastStartedAt)).withFinishedAt(time(lastFinishedAt)).endTerminated().endLastState();
      }
      return b.build();
    }

    /**
     * As the kubelet's FallbackToLogsOnError: a failed container without a termination-log file gets the end of its
     * log (at most 80 lines and 2048 bytes) as its message. The rig writes no termination-log files.
     */
    private String terminationMessage(Integer code, java.util.function.Supplier<String> runLog) {
      boolean fallback = "FallbackToLogsOnError".equals(spec.getTerminationMessagePolicy());
      if (!fallback || code == null || code == 0) {
        return null;
      }
      String log = runLog.get();
      if (log == null || log.isBlank()) {
        return null;
      }
      List<String> lines = log.lines().toList();
      String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
      return tail.length() <= 2048 ? tail : tail.substring(tail.length() - 2048);
    }

    private Path logFile() {
      return kubelet.logDirectory().resolve(namespace + "_" + name + "_" + spec.getName() + ".log");
    }

    /** This container's log since its last start. */
    private String lastRunLog() {
      Path log = logFile();
      try {
        String text = Files.exists(log) ? Files.readString(log) : "";
        int start = text.lastIndexOf("---- ");
        int lineEnd = start < 0 ? -1 : text.indexOf('\n', start);
        return lineEnd < 0 ? text : text.substring(lineEnd + 1);
      } catch (IOException e) {
        return null;
      }
    }

    List<String> execCommand(List<String> command) throws Images.UnknownImageException {
      return wrap(Images.command(runtime, command, List.of()).stream()
          .map(a -> RigNetwork.localizeAddresses(a, podIp)).toList());
    }
  }

  // ---- helpers ----

  private static String time(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static <T> List<T> list(List<T> maybe) {
    return maybe == null ? List.of() : maybe;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private void sleep(Duration d) throws InterruptedException {
    if (stopping) {
      throw new InterruptedException();
    }
    Thread.sleep(d.toMillis());
  }
}
