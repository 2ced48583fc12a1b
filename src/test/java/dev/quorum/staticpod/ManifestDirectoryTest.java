package dev.quorum.staticpod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestDirectoryTest {

  @TempDir
  Path dir;

  @Test
  void keepsItsOneFileOnlyWhenChangedAndNeverTouchesOthers() throws Exception {
    Files.writeString(dir.resolve("etcd.yaml"), "kubeadm's own");
    Files.writeString(dir.resolve("quorum-ns_other.yaml"), "another cluster's");
    ManifestDirectory manifests = new ManifestDirectory(dir);
    String file = ManifestDirectory.fileName("ns", "main");
    assertThat(file).isEqualTo("quorum-ns_main.yaml");

    assertThat(manifests.keep(file, Optional.of("one"))).isTrue();
    Files.setLastModifiedTime(dir.resolve(file), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
    assertThat(manifests.keep(file, Optional.of("one"))).as("unchanged: not rewritten").isFalse();
    assertThat(Files.getLastModifiedTime(dir.resolve(file)).toInstant())
        .isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));

    assertThat(manifests.keep(file, Optional.of("two"))).isTrue();
    assertThat(Files.readString(dir.resolve(file))).isEqualTo("two");
    assertThat(manifests.keep(file, Optional.empty())).isTrue();
    assertThat(manifests.keep(file, Optional.empty())).as("gone already").isFalse();

    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("etcd.yaml", "quorum-ns_other.yaml");
    }
    assertThat(Files.readString(dir.resolve("etcd.yaml"))).isEqualTo("kubeadm's own");
  }

  @Test
  void refusesAFileThatIsNotItsOwn() {
    assertThatThrownBy(() -> new ManifestDirectory(dir).keep("etcd.yaml", Optional.of("x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ManifestDirectory(dir).keep("etcd.yaml", Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ManifestDirectory(dir).keep("quorum-../x.yaml", Optional.of("x")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
