package dev.quorum.rig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * A cgroup (v2) for each pod the rig runs, which the pod's processes join as they start. Every pod shares the host's
 * network, so a pod's connections cannot be told apart by address alone (they leave from 127.0.0.1); a socket carries
 * its process's cgroup, which nftables can match ({@link NetworkCuts}). Without a cgroup v2 hierarchy under
 * /sys/fs/cgroup pods still run; only cutting one off is refused, saying why.
 */
final class PodCgroups implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(PodCgroups.class);
  /** Where nftables looks for the cgroup paths it is given. */
  static final Path CGROUP_FS = Path.of("/sys/fs/cgroup");

  private final Optional<Path> root;

  PodCgroups() {
    this.root = cgroup2Mount().filter(mount -> mount.startsWith(CGROUP_FS))
        .map(mount -> mount.resolve("quorum-rig-" + UUID.randomUUID().toString().substring(0, 8)))
        .filter(PodCgroups::created);
  }

  /** Why pods cannot be told apart, when they cannot. */
  Optional<String> unavailable() {
    return root.isPresent() ? Optional.empty() : Optional.of("no writable cgroup v2 hierarchy under " + CGROUP_FS
        + " (see /proc/mounts): the rig cannot tell one pod's traffic from another's");
  }

  /** The file a pod's process writes its PID to, to join the pod's cgroup; empty without cgroup v2. */
  Optional<Path> join(String podUid) {
    return root.map(r -> r.resolve(podUid)).filter(PodCgroups::created).map(dir -> dir.resolve("cgroup.procs"));
  }

  /** The pod's cgroup as nftables names it (relative to /sys/fs/cgroup), and its depth in the cgroup v2 hierarchy. */
  Optional<NftCgroup> nft(String podUid) {
    return root.flatMap(r -> cgroup2Mount().map(mount -> new NftCgroup(CGROUP_FS.relativize(r.resolve(podUid))
        .toString(), mount.relativize(r.resolve(podUid)).getNameCount())));
  }

  record NftCgroup(String path, int level) {}

  /** Once the pod's processes are gone. */
  void remove(String podUid) {
    root.ifPresent(r -> removeDirectory(r.resolve(podUid)));
  }

  @Override
  public void close() {
    root.ifPresent(r -> {
      try (var children = Files.list(r)) {
        children.filter(Files::isDirectory).forEach(PodCgroups::removeDirectory);
      } catch (IOException e) {
        LOG.debugf("listing %s: %s", r, e);
      }
      removeDirectory(r);
    });
  }

  private static void removeDirectory(Path dir) {
    try {
      Files.deleteIfExists(dir); // a cgroup is removed with rmdir, its files go with it
    } catch (IOException e) {
      LOG.debugf("cgroup %s not removed: %s", dir, e);
    }
  }

  private static boolean created(Path dir) {
    try {
      Files.createDirectories(dir);
      return Files.isWritable(dir.resolve("cgroup.procs"));
    } catch (IOException e) {
      LOG.infof("cannot create cgroup %s: %s", dir, e.getMessage());
      return false;
    }
  }

  /** The cgroup v2 hierarchy's mount point, as /proc/mounts lists it. */
  static Optional<Path> cgroup2Mount() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
        List<String> fields = List.of(line.split(" "));
        if (fields.size() > 2 && "cgroup2".equals(fields.get(2))) {
          return Optional.of(Path.of(fields.get(1)));
        }
      }
    } catch (IOException e) {
      LOG.debugf("reading /proc/mounts: %s", e);
    }
    return Optional.empty();
  }
}
