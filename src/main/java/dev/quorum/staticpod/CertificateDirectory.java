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
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * StaticPod mode with TLS: the directory on a node where its node agent keeps the members' certificates (a static pod
 * cannot mount their Secret), {@code ca.crt}, {@code tls.crt} and {@code tls.key}, readable by root only. etcd rereads
 * its certificate and key at each handshake, so they change together, as a kubelet updates a mounted Secret: new
 * contents go into a directory of their own, {@code ..<time>}, never rewritten, that the link {@code ..data} is swung
 * to in one rename; the three files are links through {@code ..data}, and earlier directories go after the swing.
 */
final class CertificateDirectory {

  static final List<String> FILES = List.of(ClusterCertificates.CA_CERT, ClusterCertificates.CERT,
      ClusterCertificates.KEY);
  static final String DATA = "..data";
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss.SSSSSSSSS")
      .withZone(ZoneOffset.UTC);

  private final Path dir;
  private final Clock clock;

  CertificateDirectory(Path dir) {
    this(dir, Clock.systemUTC());
  }

  CertificateDirectory(Path dir, Clock clock) {
    this.dir = dir;
    this.clock = clock;
  }

  /** Whether the directory holds certificates (the member may start). */
  boolean holdsAny() {
    return Files.isSymbolicLink(dir.resolve(DATA)) && Files.isDirectory(dir.resolve(DATA));
  }

  /**
   * Makes the files hold these contents (a Secret's data, decoded).
   *
   * @return whether anything was written
   */
  boolean keep(Map<String, String> decoded) throws IOException {
    Path data = dir.resolve(DATA);
    boolean written = false;
    if (!holdsAny() || !holds(data, decoded)) {
      Path work = Files.createTempDirectory(dir, ".quorum-", PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------")));
      try {
        for (String file : FILES) {
          Files.writeString(work.resolve(file), decoded.getOrDefault(file, ""), StandardCharsets.UTF_8);
          Files.setPosixFilePermissions(work.resolve(file), PosixFilePermissions.fromString("rw-------"));
        }
        String current = freshName();
        Files.move(work, dir.resolve(current), StandardCopyOption.ATOMIC_MOVE);
        Path link = dir.resolve(".quorum-link");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of(current));
        Files.move(link, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        deleteTree(work);
      }
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
    // earlier contents go once no link leads to them
    String current = Files.readSymbolicLink(data).toString();
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

  /** A directory name not taken yet: the time, as the kubelet names a Secret volume's. */
  private String freshName() {
    Instant now = clock.instant();
    String name = ".." + STAMP.format(now);
    while (Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
      now = now.plusNanos(1);
      name = ".." + STAMP.format(now);
    }
    return name;
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
