package dev.quorum.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
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
      for (Path cgroup : cgroupsUnder(hierarchy.resolve(node))) {
        try {
          for (String line : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
            if (!line.isBlank() && !pids.contains(Long.parseLong(line.strip()))) {
              pids.add(Long.parseLong(line.strip()));
            }
          }
        } catch (IOException e) {
          // a cgroup removed since it was listed: its processes are gone with it
        }
      }
    }
    return pids;
  }

  /** Removes the node's root from every hierarchy, deepest first (a cgroup goes only once it is empty). */
  static void remove(String node) {
    for (Path hierarchy : hierarchies()) {
      List<Path> parentsFirst = cgroupsUnder(hierarchy.resolve(node));
      Collections.reverse(parentsFirst); // a cgroup goes only once its children have
      for (Path cgroup : parentsFirst) {
        HostCommand.attempt("rmdir", cgroup.toString());
      }
    }
  }

  /**
   * The cgroups under {@code root}, itself first and every parent before its children. The kubelet and containerd
   * create and remove cgroups while this walks: one that is gone by the time it is read is simply not listed.
   */
  private static List<Path> cgroupsUnder(Path root) {
    List<Path> cgroups = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return cgroups;
    }
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
          cgroups.add(dir);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return cgroups;
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
