package dev.quorum.rig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps container images to local binaries. etcd images ({@code .../etcd:v3.6.16}, {@code registry.k8s.io/etcd:3.6.16-0})
 * run the etcd of that version built by hack/tools.sh; other images can be registered (the operator's own image
 * runs its jar). An image the rig cannot run is reported, never guessed.
 */
public final class Images {

  /**
   * What an image provides: host directories that appear at paths inside the container (the image's files),
   * the entrypoint used when the pod names no command, the image's PATH entries and environment.
   */
  public record Runtime(Map<String, Path> files, List<String> entrypoint, List<String> path, Map<String, String> env) {

    /** Where a path inside the container lives on the host, if it is one of the image's files. */
    Path hostPath(String containerPath) {
      for (Map.Entry<String, Path> entry : files.entrySet()) {
        if (containerPath.startsWith(entry.getKey() + "/")) {
          return entry.getValue().resolve(containerPath.substring(entry.getKey().length() + 1));
        }
      }
      return Path.of(containerPath);
    }
  }

  public static final class UnknownImageException extends Exception {
    public UnknownImageException(String message) {
      super(message);
    }
  }

  private static final Pattern ETCD = Pattern.compile("(?:.*/)?etcd:v?(\\d+\\.\\d+\\.\\d+)(?:-\\d+)?");

  private final Tools tools;
  private final Map<String, Function<String, Runtime>> registered = new ConcurrentHashMap<>();

  public Images(Tools tools) {
    this.tools = tools;
  }

  /** Registers images whose reference starts with {@code prefix} (e.g. the operator's image). */
  public void register(String prefix, Function<String, Runtime> runtime) {
    registered.put(prefix, runtime);
  }

  public Runtime resolve(String image) throws UnknownImageException {
    for (Map.Entry<String, Function<String, Runtime>> entry : registered.entrySet()) {
      if (image.startsWith(entry.getKey())) {
        return entry.getValue().apply(image);
      }
    }
    Matcher etcd = ETCD.matcher(image);
    if (etcd.matches()) {
      String version = etcd.group(1);
      if (!tools.etcdVersions().contains(version)) {
        throw new UnknownImageException("image " + image + ": etcd " + version
            + " is not built on this rig (built: " + tools.etcdVersions() + ")");
      }
      // as in etcd's images: the binaries in /usr/local/bin
      return new Runtime(Map.of("/usr/local/bin", tools.etcdDir(version)), List.of("/usr/local/bin/etcd"),
          List.of("/usr/local/bin"), Map.of());
    }
    throw new UnknownImageException("image " + image + " has no local binary on this rig "
        + "(it runs etcd images and registered images only)");
  }

  /**
   * The command for a container: its command (or the image's entrypoint) and args, as Kubernetes combines
   * them. The executable must exist in the image's files, on the image's PATH, or on the host (e.g. /bin/sh).
   */
  public static List<String> command(Runtime runtime, List<String> command, List<String> args)
      throws UnknownImageException {
    List<String> argv = new ArrayList<>(command == null || command.isEmpty() ? runtime.entrypoint() : command);
    if (argv.isEmpty()) {
      throw new UnknownImageException("no command and the image has no entrypoint");
    }
    if (args != null) {
      argv.addAll(args);
    }
    String executable = argv.get(0);
    List<String> candidates = new ArrayList<>();
    if (executable.startsWith("/")) {
      candidates.add(executable);
    } else {
      runtime.path().forEach(dir -> candidates.add(dir + "/" + executable));
      List.of("/usr/local/bin", "/usr/bin", "/bin").forEach(dir -> candidates.add(dir + "/" + executable));
    }
    for (String candidate : candidates) {
      if (Files.isExecutable(runtime.hostPath(candidate))) {
        argv.set(0, candidate); // a path inside the container: the mounts make it resolve
        return argv;
      }
    }
    throw new UnknownImageException("executable " + executable + " is neither in the image's files "
        + runtime.files().keySet() + " nor on the host");
  }
}
