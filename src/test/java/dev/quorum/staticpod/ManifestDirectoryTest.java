package dev.quorum.staticpod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestDirectoryTest {

  @TempDir
  Path dir;

  @Test
  void writesItsManifestsOnlyWhenChangedAndNeverTouchesOthers() throws Exception {
    Files.writeString(dir.resolve("etcd.yaml"), "kubeadm's own");
    ManifestDirectory manifests = new ManifestDirectory(dir);

    assertThat(manifests.sync(Map.of("quorum-a.yaml", "one"))).containsExactly("quorum-a.yaml");
    Files.setLastModifiedTime(dir.resolve("quorum-a.yaml"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
    assertThat(manifests.sync(Map.of("quorum-a.yaml", "one"))).as("unchanged: not rewritten").isEmpty();
    assertThat(Files.getLastModifiedTime(dir.resolve("quorum-a.yaml")).toInstant())
        .isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));

    assertThat(manifests.sync(Map.of("quorum-a.yaml", "two", "quorum-b.yaml", "three")))
        .containsExactlyInAnyOrder("quorum-a.yaml", "quorum-b.yaml");
    assertThat(manifests.sync(Map.of("quorum-b.yaml", "three"))).containsExactly("quorum-a.yaml");

    assertThat(Files.readString(dir.resolve("quorum-b.yaml"))).isEqualTo("three");
    assertThat(Files.readString(dir.resolve("etcd.yaml"))).isEqualTo("kubeadm's own");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("etcd.yaml", "quorum-b.yaml");
    }
  }

  @Test
  void refusesAFileThatIsNotItsOwn() {
    assertThatThrownBy(() -> new ManifestDirectory(dir).sync(Map.of("etcd.yaml", "x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ManifestDirectory(dir).sync(Map.of("quorum-../x.yaml", "x")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
