package dev.quorum.rig;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * An image as an OCI image layout archive, the form {@code ctr images import} takes: the rig has no registry, so
 * it writes its images itself. Layers are uncompressed tars of files owned by root; the archive names the image
 * with containerd's annotation, so the import tags it under its full reference.
 */
public final class OciArchive {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

  /** What the image runs: its config as a container runtime reads it. */
  public record RunConfig(List<String> entrypoint, List<String> cmd, List<String> env, String user,
      String workingDir) {
  }

  /** One layer: paths in the image to their content, directories implied by their files. */
  public static final class Layer {
    private final Map<String, Object> entries = new TreeMap<>(); // path -> Path (a file to copy) or byte[]
    private final Map<String, Integer> modes = new LinkedHashMap<>();

    /** The file at {@code source} (a symlink is followed: the image gets what it points at). */
    public Layer file(String path, Path source) {
      entries.put(relative(path), source);
      return this;
    }

    public Layer file(String path, String content, int mode) {
      entries.put(relative(path), content.getBytes(StandardCharsets.UTF_8));
      modes.put(relative(path), mode);
      return this;
    }

    public Layer directory(String path, int mode) {
      entries.put(relative(path) + "/", new byte[0]);
      modes.put(relative(path) + "/", mode);
      return this;
    }

    /** Every file under {@code source} at {@code path}, symlinks followed. */
    public Layer tree(String path, Path source) {
      try (var walk = Files.walk(source, FileVisitOption.FOLLOW_LINKS)) {
        walk.filter(Files::isRegularFile)
            .forEach(file -> file(path + "/" + source.relativize(file).toString().replace('\\', '/'), file));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    private static String relative(String path) {
      return path.replaceAll("^/+", "").replaceAll("/+$", "");
    }

    /** Writes the layer's tar; parents first, all owned by root, fixed times so equal content makes an equal layer. */
    void writeTo(OutputStream out) throws IOException {
      try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        Set<String> written = new LinkedHashSet<>();
        for (Map.Entry<String, Object> entry : entries.entrySet()) {
          String path = entry.getKey();
          writeParents(tar, path.endsWith("/") ? path.substring(0, path.length() - 1) : path, written);
          if (path.endsWith("/")) {
            if (written.add(path)) {
              tar.putArchiveEntry(entry(path, modes.get(path), 0));
              tar.closeArchiveEntry();
            }
          } else if (entry.getValue() instanceof byte[] bytes) {
            tar.putArchiveEntry(entry(path, modes.get(path), bytes.length));
            tar.write(bytes);
            tar.closeArchiveEntry();
          } else {
            Path source = (Path) entry.getValue();
            tar.putArchiveEntry(entry(path, mode(source), Files.size(source)));
            Files.copy(source, tar);
            tar.closeArchiveEntry();
          }
        }
        tar.finish();
      }
    }

    private static void writeParents(TarArchiveOutputStream tar, String path, Set<String> written)
        throws IOException {
      int slash = path.lastIndexOf('/');
      if (slash < 0) {
        return;
      }
      String parent = path.substring(0, slash + 1);
      if (written.contains(parent)) {
        return;
      }
      writeParents(tar, parent.substring(0, parent.length() - 1), written);
      written.add(parent);
      tar.putArchiveEntry(entry(parent, 0755, 0));
      tar.closeArchiveEntry();
    }

    private static TarArchiveEntry entry(String name, int mode, long size) {
      TarArchiveEntry entry = new TarArchiveEntry(name);
      entry.setMode((name.endsWith("/") ? 040000 : 0100000) | mode);
      entry.setSize(size);
      entry.setIds(0, 0);
      entry.setNames("root", "root");
      entry.setModTime(0);
      return entry;
    }

    private static int mode(Path file) throws IOException {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      // readable by everyone (Jib's default), executable where the source is
      return permissions.contains(PosixFilePermission.OWNER_EXECUTE) ? 0755 : 0644;
    }
  }

  private OciArchive() {
  }

  /** Writes {@code reference} (e.g. {@code quay.io/coreos/etcd:v3.6.16}) with {@code layers} to {@code archive}. */
  public static void write(Path archive, String reference, RunConfig run, List<Layer> layers) {
    Path work = archive.resolveSibling(archive.getFileName() + ".work");
    try {
      Rig.deleteRecursively(work);
      Path blobs = Files.createDirectories(work.resolve("blobs/sha256"));
      List<Map<String, Object>> layerDescriptors = new ArrayList<>();
      List<String> diffIds = new ArrayList<>();
      for (Layer layer : layers) {
        Path temp = work.resolve("layer.tmp");
        MessageDigest sha = sha256();
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), sha)) {
          layer.writeTo(out);
        }
        String digest = HexFormat.of().formatHex(sha.digest());
        Files.move(temp, blobs.resolve(digest), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        diffIds.add("sha256:" + digest);
        layerDescriptors.add(descriptor("application/vnd.oci.image.layer.v1.tar", digest,
            Files.size(blobs.resolve(digest)), null));
      }
      Map<String, Object> config = new LinkedHashMap<>();
      config.put("architecture", "amd64");
      config.put("os", "linux");
      Map<String, Object> runConfig = new LinkedHashMap<>();
      putIfSet(runConfig, "Entrypoint", run.entrypoint());
      putIfSet(runConfig, "Cmd", run.cmd());
      putIfSet(runConfig, "Env", run.env());
      putIfSet(runConfig, "User", run.user());
      putIfSet(runConfig, "WorkingDir", run.workingDir());
      config.put("config", runConfig);
      config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
      Map<String, Object> configDescriptor = blob(blobs, "application/vnd.oci.image.config.v1+json", config, null);
      Map<String, Object> manifest = new LinkedHashMap<>();
      manifest.put("schemaVersion", 2);
      manifest.put("mediaType", MANIFEST_TYPE);
      manifest.put("config", configDescriptor);
      manifest.put("layers", layerDescriptors);
      String tag = reference.substring(reference.lastIndexOf(':') + 1);
      Map<String, Object> manifestDescriptor = blob(blobs, MANIFEST_TYPE, manifest,
          Map.of("io.containerd.image.name", reference, "org.opencontainers.image.ref.name", tag));
      Files.writeString(work.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
      Files.write(work.resolve("index.json"), JSON.writeValueAsBytes(
          Map.of("schemaVersion", 2, "manifests", List.of(manifestDescriptor))));
      Layer outer = new Layer().tree("", work);
      Path temp = archive.resolveSibling(archive.getFileName() + ".tmp");
      try (OutputStream out = Files.newOutputStream(temp)) {
        outer.writeTo(out);
      }
      Files.move(temp, archive, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Rig.deleteRecursively(work);
    } catch (IOException e) {
      throw new UncheckedIOException("rig: cannot write the image " + reference + " to " + archive, e);
    }
  }

  private static void putIfSet(Map<String, Object> map, String key, Object value) {
    if (value != null) {
      map.put(key, value);
    }
  }

  private static Map<String, Object> blob(Path blobs, String mediaType, Object content, Map<String, String> annotations)
      throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(content);
    String digest = HexFormat.of().formatHex(sha256().digest(bytes));
    Files.write(blobs.resolve(digest), bytes);
    return descriptor(mediaType, digest, bytes.length, annotations);
  }

  private static Map<String, Object> descriptor(String mediaType, String digest, long size,
      Map<String, String> annotations) {
    Map<String, Object> descriptor = new LinkedHashMap<>();
    descriptor.put("mediaType", mediaType);
    descriptor.put("digest", "sha256:" + digest);
    descriptor.put("size", size);
    if (annotations != null) {
      descriptor.put("annotations", annotations);
    }
    return descriptor;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The archive's files, for tests of the layout: path to size. */
  static Map<String, Long> list(InputStream tar) throws IOException {
    Map<String, Long> files = new LinkedHashMap<>();
    try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(tar)) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        files.put(e.getName(), e.getSize());
      }
    }
    return files;
  }
}
