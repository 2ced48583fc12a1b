package dev.quorum.staticpod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The kubelet's static pod directory as the node agent keeps it: only files named {@code quorum-*.yaml} are its own;
 * kubeadm's manifests (etcd.yaml, kube-apiserver.yaml, ...) are never touched. A file is rewritten only when its
 * content changes, through a temporary file moved into place, so the kubelet never reads half a manifest and does not
 * restart a pod for nothing.
 */
final class ManifestDirectory {

  static final String PREFIX = "quorum-";
  static final String SUFFIX = ".yaml";

  private final Path dir;

  ManifestDirectory(Path dir) {
    this.dir = dir;
  }

  static String fileName(String name) {
    return PREFIX + name + SUFFIX;
  }

  /**
   * Makes the directory hold exactly {@code manifests} (file name to content) among its own files.
   *
   * @return the files written or deleted
   */
  List<String> sync(Map<String, String> manifests) throws IOException {
    List<String> changed = new ArrayList<>();
    for (Map.Entry<String, String> manifest : manifests.entrySet()) {
      if (write(manifest.getKey(), manifest.getValue())) {
        changed.add(manifest.getKey());
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        if (name.startsWith(PREFIX) && name.endsWith(SUFFIX) && !manifests.containsKey(name)) {
          Files.deleteIfExists(file);
          changed.add(name);
        }
      }
    }
    return changed;
  }

  private boolean write(String name, String content) throws IOException {
    if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX) || name.contains("/")) {
      throw new IllegalArgumentException("not a manifest of the agent's: " + name);
    }
    Path target = dir.resolve(name);
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    if (Files.isRegularFile(target) && java.util.Arrays.equals(Files.readAllBytes(target), bytes)) {
      return false;
    }
    // a dot file: the kubelet ignores hidden files, so it never reads the temporary one
    Path temp = Files.createTempFile(dir, ".quorum-", ".tmp");
    try {
      Files.write(temp, bytes);
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
    return true;
  }
}
