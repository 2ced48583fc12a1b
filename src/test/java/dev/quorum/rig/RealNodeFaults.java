package dev.quorum.rig;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link NodeFaults} on real nodes: a container's process killed on its node, its writable volumes made unusable
 * (a broken disk: every restart fails until they are given back), a pod cut off by nftables rules in its own network
 * namespace.
 */
final class RealNodeFaults implements NodeFaults, AutoCloseable {

  /** Where etcd keeps its database under its data directory. */
  private static final Path ETCD_DATABASE = Path.of("member", "snap", "db");

  private static final AtomicInteger NEXT_CUT = new AtomicInteger();

  private final KubernetesClient client;
  private final PodContainers containers;
  private final ScheduledExecutorService repairs = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "rig-repairs");
    thread.setDaemon(true);
    return thread;
  });
  /** Broken volumes and their permissions before, so they are given back also when the rig stops first. */
  private final Map<Path, Set<PosixFilePermission>> broken = new java.util.concurrent.ConcurrentHashMap<>();

  RealNodeFaults(KubernetesClient client, RigNodes nodes) {
    this.client = client;
    this.containers = new PodContainers(client, nodes);
  }

  @Override
  public void deletePod(String namespace, String pod) {
    if (client.pods().inNamespace(namespace).withName(pod).delete().isEmpty()) {
      throw new IllegalStateException("no pod " + namespace + "/" + pod + " to delete");
    }
  }

  @Override
  public void deleteClaim(String namespace, String claim) {
    if (client.persistentVolumeClaims().inNamespace(namespace).withName(claim).delete().isEmpty()) {
      throw new IllegalStateException("no claim " + namespace + "/" + claim + " to delete");
    }
  }

  @Override
  public void killProcess(String namespace, String pod, String container) {
    PodContainers.Running running = containers.running(namespace, pod, container);
    ProcessHandle.of(running.pid()).ifPresent(ProcessHandle::destroyForcibly);
  }

  @Override
  public void breakContainer(String namespace, String pod, String container, Duration downFor) {
    PodContainers.Running running = containers.running(namespace, pod, container);
    List<Path> volumes = writableVolumes(namespace, pod, container, running.node());
    for (Path volume : volumes) {
      try {
        broken.putIfAbsent(volume, Files.getPosixFilePermissions(volume));
        Files.setPosixFilePermissions(volume, Set.of());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    ProcessHandle.of(running.pid()).ifPresent(ProcessHandle::destroyForcibly);
    repairs.schedule(() -> volumes.forEach(this::repair), downFor.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public int divergeData(String namespace, String pod, String container, byte[] marker) {
    PodContainers.Running running = containers.running(namespace, pod, container);
    int changed = 0;
    for (Path volume : writableVolumes(namespace, pod, container, running.node())) {
      try (java.util.stream.Stream<Path> files = Files.walk(volume)) {
        for (Path db : files.filter(f -> f.endsWith(ETCD_DATABASE)).toList()) {
          changed += changeLastByteOf(db, marker);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (changed == 0) {
      throw new IllegalStateException("the database of " + namespace + "/" + pod + " holds no copy of the marker");
    }
    return changed;
  }

  /** Each copy's last byte, written in place: etcd maps the file and reads it as it stands, so no other byte moves. */
  private static int changeLastByteOf(Path db, byte[] marker) throws IOException {
    byte[] content = Files.readAllBytes(db);
    int changed = 0;
    try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(db,
        java.nio.file.StandardOpenOption.WRITE)) {
      for (int at = indexOf(content, marker, 0); at >= 0; at = indexOf(content, marker, at + 1)) {
        byte last = marker[marker.length - 1];
        file.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) (last == 'X' ? 'Y' : 'X')}), at + marker.length - 1L);
        changed++;
      }
      file.force(false);
    }
    return changed;
  }

  private static int indexOf(byte[] content, byte[] marker, int from) {
    outer:
    for (int i = from; i <= content.length - marker.length; i++) {
      for (int j = 0; j < marker.length; j++) {
        if (content[i + j] != marker[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private void repair(Path volume) {
    Set<PosixFilePermission> permissions = broken.remove(volume);
    if (permissions != null) {
      try {
        Files.setPosixFilePermissions(volume, permissions);
      } catch (IOException e) {
        // the volume went with its pod or claim meanwhile: nothing to give back
      }
    }
  }

  /** Where the container's writable emptyDir, claim and host path volumes live on this machine. */
  private List<Path> writableVolumes(String namespace, String podName, String container, RigNode node) {
    Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
    List<Path> paths = new ArrayList<>();
    List<VolumeMount> mounts = pod.getSpec().getContainers().stream().filter(c -> c.getName().equals(container))
        .findFirst().orElseThrow().getVolumeMounts();
    for (VolumeMount mount : mounts) {
      if (Boolean.TRUE.equals(mount.getReadOnly())) {
        continue;
      }
      Volume volume = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
          .findFirst().orElseThrow();
      if (volume.getEmptyDir() != null) {
        paths.add(node.emptyDirPath(pod.getMetadata().getUid(), volume.getName()));
      } else if (volume.getPersistentVolumeClaim() != null) {
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace)
            .withName(volume.getPersistentVolumeClaim().getClaimName()).get();
        paths.add(Path.of(client.persistentVolumes().withName(claim.getSpec().getVolumeName()).get().getSpec()
            .getLocal().getPath()));
      } else if (volume.getHostPath() != null) {
        // a static pod's data: a directory on its node, which root without capabilities is held to the modes of
        paths.add(node.hostPath(volume.getHostPath().getPath()));
      }
    }
    if (paths.isEmpty()) {
      throw new IllegalStateException("container " + container + " of " + namespace + "/" + podName
          + " has no writable volume to break");
    }
    return paths;
  }

  @Override
  public Cut cutOff(String namespace, String pod, List<String> others) {
    PodContainers.Running running = containers.running(namespace, pod, podContainer(namespace, pod));
    List<String> addresses = new ArrayList<>();
    for (String other : others) {
      Pod otherPod = client.pods().inNamespace(namespace).withName(other).get();
      if (otherPod == null || otherPod.getStatus() == null || otherPod.getStatus().getPodIP() == null) {
        throw new IllegalStateException("cannot cut " + pod + " off from " + other + ": it has no address");
      }
      addresses.add(otherPod.getStatus().getPodIP());
    }
    String table = "quorum_rig_cut_" + NEXT_CUT.incrementAndGet();
    String set = String.join(", ", addresses);
    List<String> netns = List.of("nsenter", "--net=/proc/" + running.pid() + "/ns/net", "--");
    List<String> add = new ArrayList<>(netns);
    add.addAll(List.of("nft", "table inet " + table + " {"
        + " chain output { type filter hook output priority 0; policy accept; ip daddr { " + set + " } drop; };"
        + " chain input { type filter hook input priority 0; policy accept; ip saddr { " + set + " } drop; }; }"));
    HostCommand.run("cut " + namespace + "/" + pod + " off from " + others, add);
    return () -> {
      List<String> delete = new ArrayList<>(netns);
      delete.addAll(List.of("nft", "delete table inet " + table));
      // a pod that restarted meanwhile has a new network namespace without the rules: healed already
      HostCommand.attempt(delete);
    };
  }

  private String podContainer(String namespace, String pod) {
    return client.pods().inNamespace(namespace).withName(pod).get().getSpec().getContainers().get(0).getName();
  }

  @Override
  public void close() {
    repairs.shutdownNow();
    List.copyOf(broken.keySet()).forEach(this::repair);
  }
}
