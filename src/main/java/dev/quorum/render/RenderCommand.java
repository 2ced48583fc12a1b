package dev.quorum.render;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code quorum render}: for a list of peers, the kubeadm-style static pod manifests or the systemd units of an etcd
 * cluster, printed or written to a directory. Bad input ends with a message and exit code 2, and nothing written.
 */
public final class RenderCommand {

  public static final String COMMAND = "render";
  static final int OK = 0;
  static final int BAD_INPUT = 2;
  static final int FAILED = 1;

  static final String USAGE = """
      usage: quorum render --peers name=host,name=host,name=host [options]
        --format static-pod|systemd   what to render (default static-pod): one etcd.yaml per member for the
                                      kubelet's manifest directory, or one etcd-<name>.service unit per member
        --version V                   etcd version (default %s); the image is <repository>:v<version>
        --repository R                image repository (default %s)
        --data-dir D                  the members' data directory on their hosts (default %s)
        --token T                     initial cluster token (default etcd-cluster)
        --etcd-binary P               the etcd binary a systemd unit runs (default %s)
        --tls-dir D                   serve TLS with the certificates in D (ca.crt, server.crt/.key, peer.crt/.key)
        --out DIR                     write the files under DIR instead of printing them
      """.formatted(RenderOptions.defaults().version(), RenderOptions.defaults().repository(),
      RenderOptions.DEFAULT_DATA_DIR, RenderOptions.DEFAULT_ETCD_BINARY);

  private RenderCommand() {}

  public static boolean isCommand(String... args) {
    return args.length > 0 && COMMAND.equals(args[0]);
  }

  /** @param args the command line, {@code render} first */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandOptions options = CommandOptions.parse(args, KNOWN);
    if (options.help()) {
      out.print(USAGE);
      return OK;
    }
    List<String> problems = new ArrayList<>(options.problems());
    Peers.Parsed peers = Peers.parse(options.get("--peers").orElse(null));
    problems.addAll(peers.problems());
    String format = options.getOrDefault("--format", "static-pod");
    if (!format.equals("static-pod") && !format.equals("systemd")) {
      problems.add("--format must be static-pod or systemd (got " + format + ")");
    }
    RenderOptions defaults = RenderOptions.defaults();
    RenderOptions render = new RenderOptions(options.getOrDefault("--version", defaults.version()),
        options.getOrDefault("--repository", defaults.repository()),
        options.getOrDefault("--data-dir", defaults.dataDir()), options.getOrDefault("--token", defaults.token()),
        options.getOrDefault("--etcd-binary", defaults.etcdBinary()), options.get("--tls-dir"));
    problems.addAll(optionProblems(render));
    if (!problems.isEmpty()) {
      problems.forEach(p -> err.println("quorum render: " + p));
      err.print(USAGE);
      return BAD_INPUT;
    }
    Map<String, String> files = files(peers.peers(), render, format);
    Optional<String> outDir = options.get("--out");
    if (outDir.isEmpty()) {
      String separator = format.equals("static-pod") ? "---\n" : "";
      files.forEach((file, content) -> out.print(separator + "# " + file + "\n" + content));
      return OK;
    }
    try {
      write(Path.of(outDir.get()), files);
      files.keySet().forEach(file -> out.println("wrote " + Path.of(outDir.get()).resolve(file)));
      return OK;
    } catch (IOException e) {
      err.println("quorum render: cannot write to " + outDir.get() + ": " + e.getMessage());
      return FAILED;
    }
  }

  private static final List<String> KNOWN = List.of("--peers", "--format", "--version", "--repository", "--data-dir",
      "--token", "--etcd-binary", "--tls-dir", "--out");

  /** File name (relative) to content, in the peers' order. */
  static Map<String, String> files(List<Peer> peers, RenderOptions options, String format) {
    Map<String, String> files = new LinkedHashMap<>();
    for (Peer peer : peers) {
      if (format.equals("systemd")) {
        files.put(SystemdUnit.fileName(peer), SystemdUnit.build(peers, peer, options));
      } else {
        files.put(peer.name() + "/etcd.yaml", Serialization.asYaml(StaticPodManifest.build(peers, peer, options))
            .replaceFirst("^---\n", ""));
      }
    }
    return files;
  }

  private static List<String> optionProblems(RenderOptions options) {
    List<String> problems = new ArrayList<>();
    if (!options.version().matches("3\\.[0-9]+\\.[0-9]+")) {
      problems.add("--version must be an etcd release such as 3.6.16 (got " + options.version() + ")");
    }
    if (!options.token().matches("[A-Za-z0-9._-]+")) {
      problems.add("--token may hold letters, digits, '.', '_' and '-' only");
    }
    for (Map.Entry<String, String> path : Map.of("--data-dir", options.dataDir(), "--etcd-binary",
        options.etcdBinary(), "--tls-dir", options.tlsDir().orElse("/")).entrySet()) {
      if (!path.getValue().startsWith("/") || path.getValue().chars().anyMatch(Character::isWhitespace)) {
        problems.add(path.getKey() + " must be an absolute path without spaces (got '" + path.getValue() + "')");
      }
    }
    return problems;
  }

  /** Every file to a temporary name first, then moved into place: a failure leaves no half-written file. */
  private static void write(Path dir, Map<String, String> files) throws IOException {
    Map<Path, Path> staged = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, String> file : files.entrySet()) {
        Path target = dir.resolve(file.getKey());
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(target.getParent(), ".render-", ".tmp");
        Files.writeString(temp, file.getValue(), StandardCharsets.UTF_8);
        staged.put(temp, target);
      }
      for (Map.Entry<Path, Path> move : staged.entrySet()) {
        Files.move(move.getKey(), move.getValue(), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      }
    } finally {
      for (Path temp : staged.keySet()) {
        Files.deleteIfExists(temp);
      }
    }
  }
}
