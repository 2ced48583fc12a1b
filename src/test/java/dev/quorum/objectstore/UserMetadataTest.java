package dev.quorum.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserMetadataTest {

  private static final String SHA = "a".repeat(64);

  @Test
  void theChecksumIsAddedToTheCallersMetadata() {
    assertThat(UserMetadata.withSha256(Map.of("cluster", "default/main", "etcd-revision", "42"), SHA))
        .containsExactly(Map.entry("cluster", "default/main"), Map.entry("etcd-revision", "42"),
            Map.entry("sha256", SHA));
    assertThat(UserMetadata.withSha256(null, SHA)).containsExactly(Map.entry("sha256", SHA));
  }

  @Test
  void theChecksumKeyIsReserved() {
    assertThatThrownBy(() -> UserMetadata.requireValid(Map.of("sha256", "mine")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
  }

  @Test
  void keysAreLowerCaseBecauseS3LowercasesThem() {
    assertThatThrownBy(() -> UserMetadata.requireValid(Map.of("Cluster", "x"))).hasMessageContaining("\"Cluster\"");
    assertThatThrownBy(() -> UserMetadata.requireValid(Map.of("a b", "x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UserMetadata.requireValid(Map.of("", "x"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void valuesArePrintableAscii() {
    assertThatThrownBy(() -> UserMetadata.requireValid(Map.of("note", "grüße"))).hasMessageContaining("\"note\"");
    assertThatThrownBy(() -> UserMetadata.requireValid(Map.of("note", "a\r\nx-amz-acl: public-read")))
        .isInstanceOf(IllegalArgumentException.class);
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("note", null);
    assertThatThrownBy(() -> UserMetadata.requireValid(nullValue)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theTotalWithTheChecksumStaysWithinS3sTwoKib() {
    // 6 + 64 bytes for the sha256 entry, 4 for the key "note"
    String fits = "x".repeat(UserMetadata.MAX_BYTES - 70 - 4);
    assertThat(UserMetadata.requireValid(Map.of("note", fits))).containsKey("note");
    assertThatThrownBy(() -> UserMetadata.requireValid(Map.of("note", fits + "x"))).hasMessageContaining("2048");
  }
}
