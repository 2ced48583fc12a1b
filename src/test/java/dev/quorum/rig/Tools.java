package dev.quorum.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real binaries the rig runs, as built and cached by {@code hack/tools.sh}.
 * A missing binary fails loudly with the command that builds it: tests never skip.
 */
public final class Tools {

  private final Path root;
  private final Map<String, String> versions;

  private Tools(Path root, Map<String, String> versions) {
    this.root = root;
    this.versions = versions;
  }

  public static Tools locate() {
    String configured = System.getProperty("quorum.tools", System.getenv("QUORUM_TOOLS"));
    Path root = configured != null && !configured.isBlank()
        ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".cache", "quorum");
    Path versionsFile = root.resolve("versions.env");
    if (!Files.isRegularFile(versionsFile)) {
      throw new IllegalStateException("The rig's binaries are not built: " + versionsFile
          + " is missing. Run hack/tools.sh (first build takes 20-40 minutes) or set QUORUM_TOOLS.");
    }
    return new Tools(root, readEnvFile(versionsFile));
  }

  public Path root() {
    return root;
  }

  public String kubeVersion() {
    return versions.get("KUBE_VERSION");
  }

  /** etcd versions built, the default (the one Quorum deploys) first. */
  public List<String> etcdVersions() {
    return Arrays.asList(versions.get("ETCD_VERSIONS").trim().split("\\s+"));
  }

  /**
   * Older etcd patches built only for the upgrade-path tests (a 3.5 patch etcd's 3.6 upgrade guide does not start
   * from); the nodes carry their images, the tests that run on every version do not run on these.
   */
  public List<String> upgradePathEtcdVersions() {
    String listed = version("ETCD_UPGRADE_PATH_VERSIONS").trim();
    return listed.isEmpty() ? List.of() : Arrays.asList(listed.split("\\s+"));
  }

  public String defaultEtcdVersion() {
    return etcdVersions().get(0);
  }

  public Path kubeBinary(String name) {
    return require(root.resolve("bin/kube-" + kubeVersion()).resolve(name));
  }

  public Path etcdDir(String version) {
    Path dir = root.resolve("bin/etcd-" + version);
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("etcd " + version + " is not built (have " + etcdVersions()
          + " and " + upgradePathEtcdVersions()
          + "): add it to ETCD_VERSIONS and run hack/tools.sh");
    }
    return dir;
  }

  public Path etcdBinary(String version, String name) {
    return require(etcdDir(version).resolve(name));
  }

  /** A version from versions.env, e.g. PAUSE_VERSION; missing means the tools predate it. */
  public String version(String key) {
    String version = versions.get(key);
    if (version == null) {
      throw new IllegalStateException(key + " is not in " + root.resolve("versions.env") + ": run hack/tools.sh");
    }
    return version;
  }

  public Path nodeBinary(String name) {
    return require(root.resolve("bin/kube-node-" + kubeVersion()).resolve(name));
  }

  public Path containerdBinary(String name) {
    return require(root.resolve("bin/containerd-" + version("CONTAINERD_VERSION")).resolve(name));
  }

  public Path containerdDir() {
    return root.resolve("bin/containerd-" + version("CONTAINERD_VERSION"));
  }

  public Path cniPluginDir() {
    Path dir = root.resolve("bin/cni-plugins-" + version("CNI_PLUGINS_VERSION"));
    require(dir.resolve("bridge"));
    return dir;
  }

  public Path coreDnsBinary() {
    return require(root.resolve("bin/coredns-" + version("COREDNS_VERSION")).resolve("coredns"));
  }

  public Path pauseBinary() {
    return require(root.resolve("bin/pause-" + version("PAUSE_VERSION")).resolve("pause"));
  }

  public Path helm() {
    return require(root.resolve("bin/helm-" + versions.get("HELM_VERSION")).resolve("helm"));
  }

  /** The Prometheus server the rig scrapes with (service discovery left out: the rig renders its targets). */
  public Path prometheus() {
    return require(root.resolve("bin/prometheus-" + version("PROMETHEUS_VERSION")).resolve("prometheus"));
  }

  /** Prometheus' rule and config checker, built with that server. */
  public Path promtool() {
    return require(root.resolve("bin/prometheus-" + version("PROMETHEUS_VERSION")).resolve("promtool"));
  }

  public Path versitygw() {
    return require(root.resolve("bin/versitygw-" + versions.get("VERSITYGW_VERSION")).resolve("versitygw"));
  }

  /** cert-manager's CRDs (certificates, issuers, ...), as its release ships them; no controller runs on the rig. */
  public Path certManagerCrds() {
    String version = versions.get("CERT_MANAGER_VERSION");
    Path dir = root.resolve("crds/cert-manager-" + version);
    if (version == null || !Files.isRegularFile(dir.resolve("cert-manager.io_certificates.yaml"))) {
      throw new IllegalStateException("cert-manager's CRDs are missing: run hack/tools.sh");
    }
    return dir;
  }

  private static Path require(Path binary) {
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(binary + " is missing: run hack/tools.sh");
    }
    return binary;
  }

  private static Map<String, String> readEnvFile(Path file) {
    try {
      Map<String, String> values = new LinkedHashMap<>();
      for (String line : Files.readAllLines(file)) {
        int eq = line.indexOf('=');
        if (line.isBlank() || line.startsWith("#") || eq < 0) {
          continue;
        }
        values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim().replace("\"", ""));
      }
      return values;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
