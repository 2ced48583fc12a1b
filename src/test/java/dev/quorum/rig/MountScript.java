package dev.quorum.rig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The shell script that sets up a pod process's private mount namespace: the pod's hosts file at /etc/hosts
 * and each volume at its mount path. Every source is first bound into a staging tmpfs, because a mount path
 * may hide the directory a later source lives in (a volume at /work hides the rig's own files under /work).
 */
final class MountScript {

  record Mount(String source, String target, boolean file) {
  }

  private static final List<String> STAGING_CANDIDATES = List.of("/run/quorum-rig", "/mnt/quorum-rig",
      "/var/tmp/quorum-rig", "/opt/quorum-rig");

  private MountScript() {
  }

  static String build(String hostsFile, List<Mount> mounts) {
    return build(hostsFile, mounts, java.util.Optional.empty());
  }

  /** As {@link #build(String, List)}, the process first joining the pod's cgroup through {@code cgroupProcs}. */
  static String build(String hostsFile, List<Mount> mounts, java.util.Optional<java.nio.file.Path> cgroupProcs) {
    List<Mount> all = new ArrayList<>(mounts);
    all.sort(Comparator.comparing(m -> m.target().length())); // parents before children
    all.add(new Mount(hostsFile, "/etc/hosts", true)); // last: a volume at /etc must not hide it
    String staging = staging(all);
    StringBuilder script = new StringBuilder("set -e\n");
    // the shell's PID is the program's after exec: the program and its children belong to the pod's cgroup
    cgroupProcs.ifPresent(procs -> script.append("echo $$ > ").append(quote(procs.toString())).append('\n'));
    script.append("mkdir -p ").append(quote(staging)).append('\n');
    script.append("mount -t tmpfs quorum-rig ").append(quote(staging)).append('\n');
    for (int i = 0; i < all.size(); i++) {
      Mount m = all.get(i);
      String staged = quote(staging + "/" + i);
      script.append(m.file() ? "touch " : "mkdir -p ").append(staged).append('\n');
      script.append("mount --bind ").append(quote(m.source())).append(' ').append(staged).append('\n');
    }
    for (int i = 0; i < all.size(); i++) {
      Mount m = all.get(i);
      String target = quote(m.target());
      if (m.file()) {
        script.append("mkdir -p \"$(dirname ").append(target).append(")\"; [ -e ").append(target)
            .append(" ] || touch ").append(target).append('\n');
      } else {
        script.append("mkdir -p ").append(target).append('\n');
      }
      script.append("mount --bind ").append(quote(staging + "/" + i)).append(' ').append(target).append('\n');
    }
    script.append("exec \"$@\"\n");
    return script.toString();
  }

  /** A staging directory that no mount path hides or lies under. */
  static String staging(List<Mount> mounts) {
    for (String candidate : STAGING_CANDIDATES) {
      boolean clash = mounts.stream().map(Mount::target).anyMatch(t -> candidate.equals(t)
          || candidate.startsWith(t.endsWith("/") ? t : t + "/") || t.startsWith(candidate + "/"));
      if (!clash) {
        return candidate;
      }
    }
    throw new IllegalArgumentException("every staging directory is hidden by a mount path: " + mounts);
  }

  static String quote(String s) {
    return "'" + s.replace("'", "'\"'\"'") + "'";
  }
}
