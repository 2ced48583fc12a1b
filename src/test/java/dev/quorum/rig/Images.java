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

    /** What an image provides: directories searched for the entrypoint, and the entrypoint if the pod names none. */
    public record Runtime(List<Path> binDirs, List<String> entrypoint, Map<String, String> env) {
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
            return new Runtime(List.of(tools.etcdDir(version)), List.of("/usr/local/bin/etcd"), Map.of());
        }
        throw new UnknownImageException("image " + image + " has no local binary on this rig "
                + "(it runs etcd images and registered images only)");
    }

    /** The host command for a container: its command (or the image's entrypoint) with the binary found locally. */
    public static List<String> command(Runtime runtime, List<String> command, List<String> args)
            throws UnknownImageException {
        List<String> argv = new ArrayList<>(command == null || command.isEmpty() ? runtime.entrypoint() : command);
        if (argv.isEmpty()) {
            throw new UnknownImageException("no command and the image has no entrypoint");
        }
        if (args != null) {
            argv.addAll(args); // command (or entrypoint) + args, as Kubernetes combines them
        }
        String executable = argv.get(0);
        String base = Path.of(executable).getFileName().toString();
        for (Path dir : runtime.binDirs()) {
            if (Files.isExecutable(dir.resolve(base))) {
                argv.set(0, dir.resolve(base).toString());
                return argv;
            }
        }
        if (executable.startsWith("/") && Files.isExecutable(Path.of(executable))) {
            return argv; // e.g. /bin/sh: the host's
        }
        for (String dir : List.of("/usr/bin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, base))) {
                argv.set(0, Path.of(dir, base).toString());
                return argv;
            }
        }
        throw new UnknownImageException("executable " + executable + " not found in the image's local binaries "
                + runtime.binDirs());
    }
}
