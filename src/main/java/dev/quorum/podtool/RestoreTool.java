package dev.quorum.podtool;

import dev.quorum.model.RestoreSource;
import dev.quorum.objectstore.ObjectInfo;
import dev.quorum.objectstore.ObjectStore;
import dev.quorum.objectstore.ObjectStoreException;
import dev.quorum.objectstore.S3Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The operator image's tool mode, run by a restoring member's init containers (see docs/design.md, "Restore"):
 *
 * <ul>
 *   <li>{@value #FETCH}: puts the snapshot at {@code <work-dir>/snapshot.db} for {@code etcdutl snapshot restore}:
 *       downloaded from S3 and verified ({@link SnapshotVerifier}), or, when the member's data directory already
 *       exists (the pod was recreated after its restore), a hard link to that data's own database, so the restore
 *       that follows only produces a copy that {@value #INSTALL} throws away;</li>
 *   <li>{@value #INSTALL}: moves the restored data directory into place, only if the member has none yet, and
 *       removes the work directory.</li>
 * </ul>
 *
 * S3 credentials come from the SDK's default chain: the pod gets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from
 * the source's Secret, or a workload identity. Runs before (and instead of) the operator: no CDI, no Kubernetes
 * client. What went wrong is printed as the last line on stderr, which becomes the container's termination message.
 */
public final class RestoreTool {

  public static final String FETCH = "restore-fetch";
  public static final String INSTALL = "restore-install";
  /**
   * StaticPod mode's first step, in the member's own pod: the snapshot was fetched beforehand by another pod, so this
   * only checks it is there, or, when the member already runs on its restored data (its pod restarted), puts the
   * member's database in its place so the next steps change nothing.
   */
  public static final String PREPARE = "restore-prepare";
  /** The file {@code etcdutl snapshot restore} reads and the directory it writes, inside the work directory. */
  public static final String SNAPSHOT_FILE = "snapshot.db";
  public static final String RESTORED_DIR = "data";
  /** Where etcd keeps its database inside a data directory. */
  static final String DATABASE = "member/snap/db";

  private final PrintStream out;
  private final PrintStream err;

  RestoreTool(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /**
   * Where a source's object is, without credentials: the operator's check adds the Secret's, the tool in a member's
   * pod relies on the SDK's chain.
   */
  public static S3Settings store(RestoreSource source) {
    return new S3Settings(source.bucket(), source.region(), source.endpoint().map(URI::create),
        source.forcePathStyle(), Optional.empty());
  }

  /** Whether {@code args} ask for the tool rather than the operator. */
  public static boolean isToolCommand(String... args) {
    return args.length > 0 && (FETCH.equals(args[0]) || INSTALL.equals(args[0]) || PREPARE.equals(args[0]));
  }

  /** Runs a tool command; the process's exit code. */
  public static int run(String... args) {
    return new RestoreTool(System.out, System.err).execute(args);
  }

  /** The arguments of the fetch container. */
  public static List<String> fetchArgs(RestoreSource source, String dataDir, String workDir) {
    List<String> args = new ArrayList<>(List.of(FETCH, "--data-dir", dataDir, "--work-dir", workDir,
        "--bucket", source.bucket(), "--key", source.key(), "--region", source.region()));
    source.endpoint().ifPresent(e -> args.addAll(List.of("--endpoint", e)));
    if (source.forcePathStyle()) {
      args.addAll(List.of("--path-style", "true"));
    }
    source.sha256().ifPresent(s -> args.addAll(List.of("--sha256", s)));
    return args;
  }

  /** The arguments of a static pod's prepare container. */
  public static List<String> prepareArgs(String dataDir, String workDir) {
    return List.of(PREPARE, "--data-dir", dataDir, "--work-dir", workDir);
  }

  /** The arguments of the install container. */
  public static List<String> installArgs(String dataDir, String workDir) {
    return List.of(INSTALL, "--data-dir", dataDir, "--work-dir", workDir);
  }

  int execute(String... args) {
    try {
      Map<String, String> options = options(args);
      Path dataDir = Path.of(required(options, "data-dir"));
      Path workDir = Path.of(required(options, "work-dir"));
      if (FETCH.equals(args[0])) {
        fetch(options, dataDir, workDir);
      } else if (PREPARE.equals(args[0])) {
        prepare(dataDir, workDir);
      } else {
        install(dataDir, workDir);
      }
      return 0;
    } catch (SnapshotVerifier.SnapshotRejected e) {
      err.println(e.reason() + ": " + e.getMessage());
    } catch (ObjectStoreException e) {
      err.println(e.reason() + ": " + e.getMessage());
    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
      err.println("RestoreFailed: " + e.getMessage());
    }
    return 1;
  }

  private void fetch(Map<String, String> options, Path dataDir, Path workDir)
      throws IOException, SnapshotVerifier.SnapshotRejected {
    if (ownDataStandsIn(dataDir, workDir)) {
      return;
    }
    deleteRecursively(workDir);
    Files.createDirectories(workDir);
    Path snapshot = workDir.resolve(SNAPSHOT_FILE);
    // the credentials are the SDK chain's: environment variables from the source's Secret, or a workload identity
    RestoreSource source = new RestoreSource(required(options, "bucket"), required(options, "key"),
        required(options, "region"), Optional.ofNullable(options.get("endpoint")),
        "true".equals(options.get("path-style")), Optional.empty(), Optional.ofNullable(options.get("sha256")));
    S3Settings settings = store(source);
    String key = source.key();
    String what = source.uri();
    long started = System.nanoTime();
    try (ObjectStore store = ObjectStore.connect(settings)) {
      ObjectInfo object = store.head(key).orElseThrow(() -> new ObjectStoreException(
          dev.quorum.objectstore.Failure.permanent(dev.quorum.objectstore.Failure.OBJECT_NOT_FOUND,
              "there is no object " + what + " (at " + settings.endpointDescription() + ")"), null));
      Optional<String> expected = source.sha256().or(object::sha256Hex);
      out.println("fetching " + what + " (" + object.sizeBytes() + " bytes)"
          + expected.map(s -> ", expected SHA-256 " + s).orElse(""));
      Path partial = workDir.resolve(SNAPSHOT_FILE + ".partial");
      SnapshotVerifier.Verified verified;
      try (InputStream in = store.openForRead(key); OutputStream file = Files.newOutputStream(partial)) {
        verified = SnapshotVerifier.copy(in, file, what, expected);
      } catch (SnapshotVerifier.SnapshotRejected | IOException | RuntimeException e) {
        Files.deleteIfExists(partial);
        throw e;
      }
      Files.move(partial, snapshot, StandardCopyOption.ATOMIC_MOVE);
      out.printf("verified %s: SHA-256 %s, %d bytes stored, %d bytes of snapshot%s%s, in %.1f s%n", what,
          verified.storedSha256(), verified.storedBytes(), verified.snapshotBytes(),
          verified.compressed() ? " (gzip)" : "", verified.etcdChecksum() ? ", etcd's checksum matches" : "",
          (System.nanoTime() - started) / 1e9);
    }
  }

  private void prepare(Path dataDir, Path workDir) throws IOException {
    Path snapshot = workDir.resolve(SNAPSHOT_FILE);
    if (ownDataStandsIn(dataDir, workDir)) {
      return;
    }
    if (!Files.isRegularFile(snapshot)) {
      throw new IOException("no snapshot at " + snapshot + ": it is fetched before the member's pod starts");
    } else {
      out.println("the fetched snapshot is at " + snapshot);
    }
  }

  /**
   * A member that already holds its data (its pod was recreated after its restore) is not restored again: its own
   * database stands in for the snapshot in a fresh work directory, and etcdutl works on a copy that is discarded.
   *
   * @return whether it did
   */
  private boolean ownDataStandsIn(Path dataDir, Path workDir) throws IOException {
    if (!Files.exists(dataDir)) {
      return false;
    }
    Path database = dataDir.resolve(DATABASE);
    if (!Files.isRegularFile(database)) {
      throw new IOException(dataDir + " exists but holds no etcd database (" + DATABASE + "): it is not a member's"
          + " data directory; move it away to restore");
    }
    deleteRecursively(workDir);
    Files.createDirectories(workDir);
    linkOrCopy(database, workDir.resolve(SNAPSHOT_FILE));
    out.println(dataDir + " already holds this member's data: not restoring again (etcdutl works on a copy that"
        + " is discarded)");
    return true;
  }

  private void install(Path dataDir, Path workDir) throws IOException {
    Path restored = workDir.resolve(RESTORED_DIR);
    if (Files.exists(dataDir)) {
      out.println(dataDir + " already holds this member's data: the restored copy is discarded");
    } else if (!Files.isDirectory(restored)) {
      throw new IOException("nothing was restored into " + restored + ": etcdutl snapshot restore did not run");
    } else {
      try {
        Files.move(restored, dataDir, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(restored + " and " + dataDir + " are not on one volume", e);
      }
      out.println("installed the restored data at " + dataDir);
    }
    deleteRecursively(workDir);
  }

  private static void linkOrCopy(Path existing, Path link) throws IOException {
    try {
      Files.createLink(link, existing);
    } catch (UnsupportedOperationException | FileSystemException e) {
      Files.copy(existing, link); // a volume without hard links: correct, only slower
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private static Map<String, String> options(String... args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value pairs after " + args[0] + ", got " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value;
  }
}
