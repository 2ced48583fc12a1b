package dev.quorum.staticpod;

import dev.quorum.tls.ClusterCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * StaticPod mode with TLS: the directory on a node where its node agent keeps the members' certificates (a static pod
 * cannot mount their Secret), {@code ca.crt}, {@code tls.crt} and {@code tls.key}, readable by root only. etcd rereads
 * its certificate and key at each handshake, so they change together: as a kubelet updates a mounted Secret, each
 * revision goes into a directory of its own, {@code ..<revision>}, that the link {@code ..data} is swung to in one
 * rename; the three files are links through {@code ..data}.
 */
final class CertificateDirectory {

  static final List<String> FILES = List.of(ClusterCertificates.CA_CERT, ClusterCertificates.CERT,
      ClusterCertificates.KEY);
  static final String DATA = "..data";

  private final Path dir;

  CertificateDirectory(Path dir) {
    this.dir = dir;
  }

  /**
   * Makes the files hold these contents (a Secret's data, decoded) under {@code revision}.
   *
   * @return whether anything was written
   */
  boolean keep(String revision, Map<String, String> decoded) throws IOException {
    if (!revision.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("not a revision: " + revision);
    }
    String current = ".." + revision;
    Path target = dir.resolve(current);
    boolean written = false;
    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS) || !holds(target, decoded)) {
      Path work = Files.createTempDirectory(dir, ".quorum-", PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------")));
      try {
        for (String file : FILES) {
          Files.writeString(work.resolve(file), decoded.getOrDefault(file, ""), StandardCharsets.UTF_8);
          Files.setPosixFilePermissions(work.resolve(file), PosixFilePermissions.fromString("rw-------"));
        }
        deleteTree(target);
        Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        deleteTree(work);
      }
      written = true;
    }
    Path data = dir.resolve(DATA);
    if (!Files.isSymbolicLink(data) || !Files.readSymbolicLink(data).toString().equals(current)) {
      Path link = dir.resolve(".quorum-link-" + revision);
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, Path.of(current));
      Files.move(link, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      written = true;
    }
    for (String file : FILES) {
      Path path = dir.resolve(file);
      if (!Files.isSymbolicLink(path)) {
        Files.deleteIfExists(path);
        Files.createSymbolicLink(path, Path.of(DATA, file));
        written = true;
      }
    }
    // earlier revisions go once no link leads to them
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "..*")) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!name.equals(DATA) && !name.equals(current)) {
          deleteTree(entry);
        }
      }
    }
    return written;
  }

  /**
   * Removes every file the agent keeps (the member's manifest is gone: no key stays on the node).
   *
   * @return whether there was anything to remove
   */
  boolean clear() throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    boolean removed = false;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (FILES.contains(name) || name.startsWith("..") || name.startsWith(".quorum-")) {
          deleteTree(entry);
          removed = true;
        }
      }
    }
    return removed;
  }

  private static boolean holds(Path directory, Map<String, String> decoded) throws IOException {
    for (String file : FILES) {
      Path path = directory.resolve(file);
      if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) || !Arrays.equals(Files.readAllBytes(path),
          decoded.getOrDefault(file, "").getBytes(StandardCharsets.UTF_8))) {
        return false;
      }
    }
    return true;
  }

  private static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> walk = Files.walk(path)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    } else {
      Files.deleteIfExists(path);
    }
  }
}
