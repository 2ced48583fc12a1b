package dev.quorum.staticpod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.tls.CertificateAuthority;
import dev.quorum.tls.Pem;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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

  static final Instant NOW = Instant.parse("2026-12-04T00:00:00Z");
  static final CertificateAuthority CA = CertificateAuthority.generate("ca", Duration.ofDays(3650), NOW);

  @TempDir
  Path manifests;
  @TempDir
  Path certificates;

  @Test
  void newContentsAreSwungInWholeReadableByRootOnlyAndClearedWithoutTrace() throws Exception {
    CertificateDirectory directory = new CertificateDirectory(certificates, Clock.fixed(NOW, ZoneOffset.UTC));
    assertThat(directory.holdsAny()).isFalse();

    assertThat(directory.keep(files("ca-1", "cert-1", "key-1"))).isTrue();
    assertThat(directory.holdsAny()).isTrue();
    assertThat(Files.readString(certificates.resolve("tls.crt"))).isEqualTo("cert-1");
    assertThat(Files.readString(certificates.resolve("tls.key"))).isEqualTo("key-1");
    assertThat(Files.isSymbolicLink(certificates.resolve("tls.key"))).isTrue();
    String first = Files.readSymbolicLink(certificates.resolve(CertificateDirectory.DATA)).toString();
    assertThat(first).isEqualTo("..2026_12_04_00_00_00.000000000");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certificates.resolve(first)
        .resolve("tls.key")))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certificates.resolve(first))))
        .isEqualTo("rwx------");
    assertThat(directory.keep(files("ca-1", "cert-1", "key-1"))).as("unchanged: nothing written").isFalse();

    // a new key alone is new contents too: never written over the ones in use
    assertThat(directory.keep(files("ca-1", "cert-1", "key-2"))).isTrue();
    String second = Files.readSymbolicLink(certificates.resolve(CertificateDirectory.DATA)).toString();
    assertThat(second).isNotEqualTo(first);
    assertThat(Files.readString(certificates.resolve("tls.key"))).isEqualTo("key-2");
    assertThat(names()).as("the earlier contents are gone").containsExactlyInAnyOrder("..data", second, "ca.crt",
        "tls.crt", "tls.key");

    Files.writeString(certificates.resolve("someone-else"), "kept");
    assertThat(directory.clear()).isTrue();
    assertThat(names()).containsExactly("someone-else");
    assertThat(directory.clear()).isFalse();
  }

  /**
   * The agent puts the members' Secret on the node before the manifest, as it is now (as the kubelet mounts a
   * Secret); one members could not use (a key that is not the certificate's, say) is never written: the node keeps
   * what it has, and without certificates no manifest is written. Without a manifest the certificates go too.
   */
  @Test
  void theAgentPutsUsableCertificatesOnTheNodeBeforeTheManifest() throws Exception {
    CertificateAuthority.Issued one = issue();
    CertificateAuthority.Issued two = issue();
    AtomicReference<Optional<Map<String, String>>> stored = new AtomicReference<>(Optional.empty());
    NodeAgent.Target target = new NodeAgent.Target(new ManifestDirectory(manifests), "quorum-ns_main.yaml",
        Optional.of(new NodeAgent.Certificates(new CertificateDirectory(certificates), stored::get)));
    Path manifest = manifests.resolve("quorum-ns_main.yaml");

    NodeAgent.sync(List.of(manifest("one")), target, NOW);
    assertThat(manifest).as("no certificates yet: no manifest").doesNotExist();
    stored.set(Optional.of(secret(one.certificate(), one.key())));
    NodeAgent.sync(List.of(manifest("one")), target, NOW);
    assertThat(Files.readString(manifest)).isEqualTo("one");
    assertThat(Files.readString(certificates.resolve("tls.crt"))).isEqualTo(Pem.certificate(one.certificate()));

    // a key that is not the certificate's: the node keeps the pair it has, the manifest still follows
    stored.set(Optional.of(secret(two.certificate(), one.key())));
    NodeAgent.sync(List.of(manifest("two")), target, NOW);
    assertThat(Files.readString(certificates.resolve("tls.crt"))).isEqualTo(Pem.certificate(one.certificate()));
    assertThat(Files.readString(manifest)).isEqualTo("two");

    stored.set(Optional.of(secret(two.certificate(), two.key())));
    NodeAgent.sync(List.of(manifest("two")), target, NOW);
    assertThat(Files.readString(certificates.resolve("tls.key"))).isEqualTo(Pem.privateKey(two.key()));

    NodeAgent.sync(List.of(), target, NOW);
    assertThat(manifest).doesNotExist();
    assertThat(names()).isEmpty();
  }

  private static CertificateAuthority.Issued issue() {
    return CA.issue("main", List.of("*.main.ns.svc"), List.of("10.0.0.10"), Duration.ofDays(30), NOW,
        CertificateAuthority.Usage.SERVER_AND_CLIENT);
  }

  private static ConfigMap manifest(String content) {
    return new ConfigMapBuilder().withNewMetadata().withName("main-node-1-manifest").endMetadata()
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
  private static Map<String, String> secret(java.security.cert.X509Certificate certificate,
      java.security.PrivateKey key) {
    Map<String, String> data = new LinkedHashMap<>();
    files(Pem.certificate(CA.certificate()), Pem.certificate(certificate), Pem.privateKey(key)).forEach((k, v) ->
        data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return data;
  }
}
