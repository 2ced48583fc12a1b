package dev.quorum.staticpod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The kubelet's static pod directory as a node agent keeps it: the agent of one cluster owns one file,
 * {@code quorum-<namespace>_<cluster>.yaml} (a node runs one member of a cluster; an underscore is in neither name, so
 * no two clusters' files can be confused); kubeadm's manifests (etcd.yaml, kube-apiserver.yaml, ...) and other
 * clusters' are never touched. A file is rewritten only when its content changes, through a temporary file moved into
 * place, so the kubelet never reads half a manifest and does not restart a pod for nothing.
 */
final class ManifestDirectory {

  static final String PREFIX = "quorum-";
  static final String SUFFIX = ".yaml";

  private final Path dir;

  ManifestDirectory(Path dir) {
    this.dir = dir;
  }

  /** The file of a cluster's member on this node. */
  static String fileName(String namespace, String cluster) {
    return PREFIX + namespace + "_" + cluster + SUFFIX;
  }

  /**
   * Makes {@code file} hold {@code manifest}, or removes it when there is none.
   *
   * @return whether the file was written or removed
   */
  boolean keep(String file, Optional<String> manifest) throws IOException {
    if (manifest.isPresent()) {
      return write(file, manifest.get());
    }
    checkOwn(file);
    return Files.deleteIfExists(dir.resolve(file));
  }

  private static void checkOwn(String name) {
    if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX) || name.contains("/")) {
      throw new IllegalArgumentException("not a manifest of the agent's: " + name);
    }
  }

  private boolean write(String name, String content) throws IOException {
    checkOwn(name);
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
