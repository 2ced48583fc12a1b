package dev.quorum.staticpod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.model.Labels;
import dev.quorum.tls.ClusterCertificates;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateDirectoryTest {

  @TempDir
  Path manifests;
  @TempDir
  Path certificates;

  @Test
  void eachRevisionIsSwungInWholeReadableByRootOnlyAndClearedWithoutTrace() throws Exception {
    CertificateDirectory directory = new CertificateDirectory(certificates);

    assertThat(directory.keep("r1", files("ca-1", "cert-1", "key-1"))).isTrue();
    assertThat(Files.readString(certificates.resolve("tls.crt"))).isEqualTo("cert-1");
    assertThat(Files.readString(certificates.resolve("tls.key"))).isEqualTo("key-1");
    assertThat(Files.isSymbolicLink(certificates.resolve("tls.key"))).isTrue();
    assertThat(Files.readSymbolicLink(certificates.resolve(CertificateDirectory.DATA)).toString()).isEqualTo("..r1");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certificates.resolve("..r1/tls.key"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certificates.resolve("..r1"))))
        .isEqualTo("rwx------");
    assertThat(directory.keep("r1", files("ca-1", "cert-1", "key-1"))).as("unchanged: nothing written").isFalse();

    assertThat(directory.keep("r2", files("ca-1\nca-2", "cert-2", "key-2"))).isTrue();
    assertThat(Files.readString(certificates.resolve("tls.crt"))).isEqualTo("cert-2");
    assertThat(Files.readString(certificates.resolve("ca.crt"))).isEqualTo("ca-1\nca-2");
    assertThat(names()).as("the earlier revision is gone").containsExactlyInAnyOrder("..data", "..r2", "ca.crt",
        "tls.crt", "tls.key");

    Files.writeString(certificates.resolve("someone-else"), "kept");
    assertThat(directory.clear()).isTrue();
    assertThat(names()).containsExactly("someone-else");
    assertThat(directory.clear()).isFalse();
  }

  /**
   * The agent writes a manifest only with the certificates it names, read fresh from the Secret; while the Secret
   * holds another revision it waits and leaves the node as it is; without a manifest the certificates go too.
   */
  @Test
  void theAgentPutsTheCertificatesBeforeTheManifestThatNamesThem() throws Exception {
    Map<String, String> first = secret("ca-1", "cert-1", "key-1");
    Map<String, String> second = secret("ca-1", "cert-2", "key-2");
    AtomicReference<Optional<Map<String, String>>> stored = new AtomicReference<>(Optional.of(first));
    NodeAgent.Target target = new NodeAgent.Target(new ManifestDirectory(manifests), "quorum-ns_main.yaml",
        Optional.of(new NodeAgent.Certificates(new CertificateDirectory(certificates), stored::get)));
    Path manifest = manifests.resolve("quorum-ns_main.yaml");

    NodeAgent.sync(List.of(manifest("one", ClusterCertificates.revision(first))), target);
    assertThat(Files.readString(manifest)).isEqualTo("one");
    assertThat(Files.readString(certificates.resolve("tls.crt"))).isEqualTo("cert-1");

    // the manifest names the next revision, the Secret still holds the first: the node keeps what it has
    NodeAgent.sync(List.of(manifest("two", ClusterCertificates.revision(second))), target);
    assertThat(Files.readString(manifest)).isEqualTo("one");
    assertThat(Files.readString(certificates.resolve("tls.crt"))).isEqualTo("cert-1");
    stored.set(Optional.empty());
    NodeAgent.sync(List.of(manifest("two", ClusterCertificates.revision(second))), target);
    assertThat(Files.readString(manifest)).isEqualTo("one");

    stored.set(Optional.of(second));
    NodeAgent.sync(List.of(manifest("two", ClusterCertificates.revision(second))), target);
    assertThat(Files.readString(manifest)).isEqualTo("two");
    assertThat(Files.readString(certificates.resolve("tls.key"))).isEqualTo("key-2");

    NodeAgent.sync(List.of(), target);
    assertThat(manifest).doesNotExist();
    assertThat(names()).isEmpty();
  }

  private static ConfigMap manifest(String content, String revision) {
    return new ConfigMapBuilder().withNewMetadata().withName("main-node-1-manifest")
        .addToAnnotations(Labels.TLS_REVISION_ANNOTATION, revision).endMetadata()
        .addToData(NodeAgent.MANIFEST_KEY, content).build();
  }

  private List<String> names() throws Exception {
    try (Stream<Path> files = Files.list(certificates)) {
      return files.map(f -> f.getFileName().toString()).toList();
    }
  }

  private static Map<String, String> files(String ca, String cert, String key) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("ca.crt", ca);
    files.put("tls.crt", cert);
    files.put("tls.key", key);
    return files;
  }

  /** As a Secret's data: base64. */
  private static Map<String, String> secret(String ca, String cert, String key) {
    Map<String, String> data = new LinkedHashMap<>();
    files(ca, cert, key).forEach((k, v) -> data.put(k,
        Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return data;
  }
}
