package dev.quorum.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The nodes' cgroup roots: on this machine's cgroup v1, a directory named after the node in every hierarchy, under
 * which its kubelet places every pod. Killing what is in there stops a node's pods; removing them is the cleanup.
 */
final class NodeCgroups {

  private NodeCgroups() {
  }

  /** Every mounted cgroup v1 hierarchy (cpu, memory, pids, the named systemd one, ...). */
  static List<Path> hierarchies() {
    try {
      List<Path> hierarchies = new ArrayList<>();
      for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
        String[] fields = line.split(" ");
        if (fields.length > 2 && fields[2].equals("cgroup") && !hierarchies.contains(Path.of(fields[1]))) {
          hierarchies.add(Path.of(fields[1]));
        }
      }
      if (hierarchies.isEmpty()) {
        throw new IllegalStateException("rig: no cgroup v1 hierarchy is mounted; the rig's kubelets need cgroup v1"
            + " with cgroupfs (see the README's prerequisites)");
      }
      return hierarchies;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new cpuset cgroup starts with no CPUs and no memory nodes: the node's root gets the machine's. */
  static void inheritCpuset(String node) throws IOException {
    for (Path hierarchy : hierarchies()) {
      if (Files.exists(hierarchy.resolve("cpuset.cpus"))) {
        for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
          Files.writeString(hierarchy.resolve(node).resolve(file), Files.readString(hierarchy.resolve(file)).strip());
        }
      }
    }
  }

  /** SIGKILL to every process under {@code node}'s root, until none is left (a dying pod may still fork). */
  static void killAll(String node) {
    for (int round = 0; round < 50; round++) {
      List<Long> pids = pids(node);
      if (pids.isEmpty()) {
        return;
      }
      pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      try {
        Thread.sleep(100); // the kernel needs a moment to reap what it killed; polled, not waited out
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException("rig: processes under the cgroup root of " + node + " survive SIGKILL: " + pids(node));
  }

  static List<Long> pids(String node) {
    List<Long> pids = new ArrayList<>();
    for (Path hierarchy : hierarchies()) {
      Path root = hierarchy.resolve(node);
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (var walk = Files.walk(root)) {
        for (Path procs : walk.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
          for (String line : Files.readAllLines(procs)) {
            if (!line.isBlank() && !pids.contains(Long.parseLong(line.strip()))) {
              pids.add(Long.parseLong(line.strip()));
            }
          }
        }
      } catch (IOException e) {
        // a cgroup removed while walked: its processes are gone with it
      }
    }
    return pids;
  }

  /** Removes the node's root from every hierarchy, deepest first (a cgroup goes only once it is empty). */
  static void remove(String node) {
    for (Path hierarchy : hierarchies()) {
      Path root = hierarchy.resolve(node);
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (var walk = Files.walk(root)) {
        for (Path cgroup : walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
          HostCommand.attempt("rmdir", cgroup.toString());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Node roots left in any hierarchy (by a crashed run). */
  static List<String> leftoverRoots() {
    List<String> roots = new ArrayList<>();
    for (Path hierarchy : hierarchies()) {
      try (var list = Files.list(hierarchy)) {
        list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(RigAddresses.NODE_PREFIX))
            .filter(n -> !roots.contains(n)).forEach(roots::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return roots;
  }
}
