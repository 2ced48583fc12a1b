package dev.quorum.rig;

import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The images the rig's nodes run, written as OCI archives from this machine's files (no registry is ever asked):
 * the pod sandbox, etcd for every version the rig carries and CoreDNS, each under its upstream name and layout, and
 * the operator's image as the build describes it (Quarkus' Jib settings in application.properties).
 */
public final class RigImages {

  /** A user in every image's /etc/passwd, as distroless images have it: etcd's pods run as it. */
  static final int NONROOT = 65532;
  private static final String PASSWD = "root:x:0:0:root:/root:/sbin/nologin\n"
      + "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
      + "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n";
  private static final String GROUP = "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n";
  private static final String PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  /** Where Quarkus' Jib images (on eclipse-temurin) keep the JRE. */
  static final String JAVA_HOME = "/opt/java/openjdk";

  public record Image(String reference, List<String> aliases, Path archive) {
  }

  private final Tools tools;
  private final Path dir;
  private final Map<String, Image> built = new LinkedHashMap<>();

  public RigImages(Tools tools, Path dir) {
    this.tools = tools;
    this.dir = dir;
  }

  /** Every image a node needs before any pod starts: the sandbox, cluster DNS and each etcd version built. */
  public synchronized List<Image> nodeImages() {
    List<Image> images = new ArrayList<>(List.of(pause(), coreDns()));
    tools.etcdVersions().forEach(version -> images.add(etcd(version)));
    tools.upgradePathEtcdVersions().forEach(version -> images.add(etcd(version)));
    return images;
  }

  /** The sandbox image under the name containerd pins; one static binary. */
  public synchronized Image pause() {
    return build("registry.k8s.io/pause:" + tools.version("PAUSE_VERSION"), List.of(), () -> OciArchive.write(
        archive("pause"), "registry.k8s.io/pause:" + tools.version("PAUSE_VERSION"),
        new OciArchive.RunConfig(List.of("/pause"), null, List.of(PATH), "65535:65535", "/"),
        List.of(base().file("/pause", tools.pauseBinary()))));
  }

  /** etcd as upstream publishes it: distroless, the three binaries in /usr/local/bin, etcd as the command. */
  public synchronized Image etcd(String version) {
    String reference = EtcdClusterSpec.DEFAULT_REPOSITORY + ":v" + version;
    return build(reference, List.of(), () -> OciArchive.write(archive("etcd-" + version), reference,
        new OciArchive.RunConfig(null, List.of("/usr/local/bin/etcd"), List.of(PATH), null, "/var/lib/etcd"),
        List.of(base().directory("/var/etcd", 0755).directory("/var/lib/etcd", 0755)
            .file("/usr/local/bin/etcd", tools.etcdBinary(version, "etcd"))
            .file("/usr/local/bin/etcdctl", tools.etcdBinary(version, "etcdctl"))
            .file("/usr/local/bin/etcdutl", tools.etcdBinary(version, "etcdutl")))));
  }

  public static String coreDnsReference(Tools tools) {
    return "registry.k8s.io/coredns/coredns:v" + tools.version("COREDNS_VERSION");
  }

  /** CoreDNS as upstream publishes it: one binary at /coredns, its entrypoint. */
  public synchronized Image coreDns() {
    String reference = coreDnsReference(tools);
    return build(reference, List.of(), () -> OciArchive.write(archive("coredns"), reference,
        new OciArchive.RunConfig(List.of("/coredns"), null, List.of(PATH), null, "/"),
        List.of(base().file("/coredns", tools.coreDnsBinary()))));
  }

  /**
   * The operator's image as the build describes it (application.properties: registry, group, name and tag; Jib's
   * working directory, user and JVM arguments, its base image's JRE location): this machine's JRE with the shared
   * libraries it links, the packaged application in the working directory, {@code java <args> -jar quarkus-run.jar}.
   * Tagged also as the chart's default (its appVersion), which the chart installs unchanged.
   */
  public synchronized Image operator() {
    OperatorImageDescription description = OperatorImageDescription.read();
    return build(description.reference(), List.of(description.chartReference()), () -> {
      Path app = description.application();
      Path javaHome = Path.of(System.getProperty("java.home"));
      OciArchive.Layer jre = base().directory(description.workingDirectory(), 0755);
      for (String part : List.of("bin/java", "lib", "conf", "release")) {
        Path source = javaHome.resolve(part);
        if (Files.isDirectory(source)) {
          jre.tree(JAVA_HOME + "/" + part, source);
        } else if (Files.exists(source)) {
          jre.file(JAVA_HOME + "/" + part, source);
        }
      }
      for (Path library : sharedLibraries(javaHome)) {
        jre.file(library.toString(), library.toRealPath());
      }
      OciArchive.Layer application = new OciArchive.Layer().tree(description.workingDirectory(), app);
      List<String> entrypoint = new ArrayList<>();
      entrypoint.add("java");
      entrypoint.addAll(description.jvmArguments());
      entrypoint.addAll(List.of("-jar", "quarkus-run.jar"));
      OciArchive.write(archive("operator"), description.reference(), new OciArchive.RunConfig(entrypoint, null,
          List.of("PATH=" + JAVA_HOME + "/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
              "JAVA_HOME=" + JAVA_HOME, "LANG=C.UTF-8"),
          description.user(), description.workingDirectory()), List.of(jre, application));
    });
  }

  /** What a distroless base gives: users, /tmp, a home for nonroot, name resolution by files then DNS. */
  private static OciArchive.Layer base() {
    return new OciArchive.Layer()
        .file("/etc/passwd", PASSWD, 0644).file("/etc/group", GROUP, 0644)
        .file("/etc/nsswitch.conf", "hosts: files dns\n", 0644)
        .directory("/tmp", 01777).directory("/home/nonroot", 0700);
  }

  /**
   * The shared libraries the JRE's launcher and core libraries link (ldd), with the dynamic loader; the desktop
   * libraries (AWT, sound) are left out, as a headless server never loads them.
   */
  private static Set<Path> sharedLibraries(Path javaHome) throws IOException {
    List<String> command = new ArrayList<>(List.of("ldd", javaHome.resolve("bin/java").toString(),
        javaHome.resolve("lib/server/libjvm.so").toString()));
    try (var libs = Files.list(javaHome.resolve("lib"))) {
      libs.map(Path::toString).filter(name -> name.endsWith(".so"))
          .filter(name -> !name.matches(".*/lib(awt|awt_xawt|awt_headless|splashscreen|jawt|fontmanager|lcms|jsound"
              + "|mlib_image|javajpeg|jpeg).so"))
          .forEach(command::add);
    }
    Set<Path> libraries = new LinkedHashSet<>();
    for (String line : HostCommand.run("list the JRE's shared libraries", command).split("\n")) {
      String trimmed = line.strip();
      int arrow = trimmed.indexOf("=> /");
      String path = arrow >= 0 ? trimmed.substring(arrow + 3).replaceAll(" \\(0x.*", "")
          : trimmed.startsWith("/") ? trimmed.replaceAll(" \\(0x.*", "") : null;
      if (path != null && !path.startsWith(javaHome.toString()) && !path.contains(javaHome.toRealPath().toString())) {
        libraries.add(Path.of(path));
      }
    }
    return libraries;
  }

  private interface Writer {
    void write() throws IOException;
  }

  private Image build(String reference, List<String> aliases, Writer writer) {
    return built.computeIfAbsent(reference, r -> {
      try {
        Files.createDirectories(dir);
        writer.write();
        return new Image(reference, aliases, archive(archiveName(reference)));
      } catch (IOException e) {
        throw new UncheckedIOException("rig: cannot build the image " + reference, e);
      }
    });
  }

  private Path archive(String name) {
    return dir.resolve(name + ".oci.tar");
  }

  private static String archiveName(String reference) {
    if (reference.contains("/pause:")) {
      return "pause";
    }
    if (reference.contains("/coredns:")) {
      return "coredns";
    }
    if (reference.startsWith(EtcdClusterSpec.DEFAULT_REPOSITORY + ":v")) {
      return "etcd-" + reference.substring(reference.lastIndexOf(":v") + 2);
    }
    return "operator";
  }

  /** The operator image's description: application.properties' Jib settings, the packaged app, the chart's tag. */
  record OperatorImageDescription(String reference, String chartReference, String user, String workingDirectory,
      List<String> jvmArguments, Path application) {

    static OperatorImageDescription read() {
      Properties properties = load(Path.of("src/main/resources/application.properties"));
      Properties build = load(Path.of("target/maven-archiver/pom.properties"));
      String repository = properties.getProperty("quarkus.container-image.registry") + "/"
          + properties.getProperty("quarkus.container-image.group") + "/"
          + properties.getProperty("quarkus.container-image.name");
      String chartVersion;
      try {
        chartVersion = Files.readAllLines(Path.of("helm/quorum/Chart.yaml")).stream()
            .filter(line -> line.startsWith("appVersion:")).findFirst().orElseThrow()
            .replaceAll("appVersion:\\s*", "").replace("\"", "").strip();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      String user = properties.getProperty("quarkus.jib.user");
      return new OperatorImageDescription(repository + ":" + build.getProperty("version"),
          repository + ":" + chartVersion, user + ":" + user,
          properties.getProperty("quarkus.jib.working-directory"),
          List.of(properties.getProperty("quarkus.jib.jvm-arguments").split(",")),
          OperatorProcess.jar().getParent());
    }

    private static Properties load(Path file) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalStateException("rig: " + file + " is missing: build first (./mvnw package)");
      }
      Properties properties = new Properties();
      try (InputStream in = Files.newInputStream(file)) {
        properties.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return properties;
    }
  }
}
