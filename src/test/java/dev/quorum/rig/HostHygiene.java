package dev.quorum.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What the rig changes on this machine, and how it is undone: one rig at a time (a lock), and before it starts the
 * leftovers of a run that died without stopping (node processes and pods, the bridge and its links, the nodes'
 * cgroup roots). Everything else a node changes stays inside its own namespaces and directory.
 */
final class HostHygiene implements AutoCloseable {

  /**
   * The machine's one rig, whatever checkout or tool directory it runs from: the bridge, the nodes' names and
   * addresses are the machine's. The distribution's directory for lock files, which the machine empties at boot.
   */
  static final Path LOCK_FILE = Files.isDirectory(Path.of("/run/lock")) ? Path.of("/run/lock/quorum-rig.lock")
      : Path.of(System.getProperty("java.io.tmpdir"), "quorum-rig.lock");

  private final FileChannel channel;
  private final FileLock lock;

  private HostHygiene(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the machine for one rig: fails, naming the holder, while another rig runs; then cleans what a crashed run
   * left.
   */
  static HostHygiene claim(Tools tools, Path rigDir) {
    Path lockFile = LOCK_FILE;
    try {
      FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.READ);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        String holder = Files.readString(lockFile).strip();
        channel.close();
        throw new IllegalStateException("rig: another rig runs on this machine (" + holder + "); the nodes' addresses"
            + " and names are the machine's, so only one can: stop it first (the demo: Ctrl-C)");
      }
      channel.truncate(0);
      channel.write(java.nio.ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + ", " + rigDir)
          .getBytes(StandardCharsets.UTF_8)));
      cleanLeftovers(tools);
      return new HostHygiene(channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("rig: cannot take " + lockFile, e);
    }
  }

  /**
   * Everything a rig that died without stopping may have left, removed: its processes (the rig's binaries, the nodes'
   * holders and whatever runs in their cgroups), links and cgroup roots. Safe when there is nothing.
   */
  static void cleanLeftovers(Tools tools) {
    // the lock is ours, so any process of the rig's binaries not started by this JVM belongs to a dead rig
    killMatching(tools.root().resolve("bin") + "/", RigNode.HOLDER_SUFFIX + " ", "/" + RigAddresses.NODE_PREFIX);
    for (String node : NodeCgroups.leftoverRoots()) {
      NodeCgroups.killAll(node);
    }
    killMatching(RigNode.HOLDER_SUFFIX + " ", "/" + RigAddresses.NODE_PREFIX);
    for (String link : HostCommand.run("list links", "ip", "-o", "link", "show").split("\n")) {
      String[] fields = link.split(":\\s+");
      if (fields.length > 1) {
        String name = fields[1].replaceAll("@.*", "");
        if (name.startsWith("quorum-veth") || name.equals(RigAddresses.BRIDGE)) {
          HostCommand.attempt("ip", "link", "del", name);
        }
      }
    }
    for (String node : NodeCgroups.leftoverRoots()) {
      NodeCgroups.remove(node);
    }
  }

  /**
   * SIGKILL to every process whose command line (argv[0] included) contains one of {@code markers}, but this JVM's own
   * children (a test's etcd, the rig's own processes are stopped by their owners).
   */
  static void killMatching(String... markers) {
    ProcessHandle self = ProcessHandle.current();
    java.util.Set<Long> ours = new java.util.HashSet<>();
    self.descendants().forEach(p -> ours.add(p.pid()));
    ours.add(self.pid());
    List<ProcessHandle> matching = new ArrayList<>();
    ProcessHandle.allProcesses().filter(p -> !ours.contains(p.pid())).forEach(process -> {
      String commandLine = commandLine(process.pid());
      for (String marker : markers) {
        if (commandLine.contains(marker)) {
          matching.add(process);
          return;
        }
      }
    });
    matching.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle process : matching) {
      try {
        process.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        // gone already, or a zombie whose parent reaps it later: either way it no longer runs
      }
    }
  }

  /** /proc's view, argv[0] as the process set it (a holder names itself there). */
  static String commandLine(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
          .replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
