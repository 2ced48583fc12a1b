package dev.quorum.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ObjectKeysTest {

  private static final UUID ID = UUID.fromString("0f8e2a6c-1b3d-4e5f-8a9b-0c1d2e3f4a5b");

  @Test
  void aStagingKeySitsNextToItsFinalKey() {
    String staging = ObjectKeys.stagingKey("backups/main/2025-01-01T00-00-00Z.db", ID);
    assertThat(staging).isEqualTo("backups/main/2025-01-01T00-00-00Z.db.partial-" + ID);
    assertThat(ObjectKeys.isStaging(staging)).isTrue();
    assertThat(ObjectKeys.finalKeyOf(staging)).isEqualTo("backups/main/2025-01-01T00-00-00Z.db");
  }

  @Test
  void theStagingPrefixCoversEveryStagingKeyOfItsKeyAndNoOtherKeys() {
    String prefix = ObjectKeys.stagingPrefix("backups/main.db");
    assertThat(ObjectKeys.stagingKey("backups/main.db", ID)).startsWith(prefix);
    assertThat(ObjectKeys.stagingKey("backups/main.db2", ID)).doesNotStartWith(prefix);
    assertThat("backups/main.db").doesNotStartWith(prefix);
  }

  @Test
  void onlyTheExactStagingSuffixMarksAStagingKey() {
    assertThat(ObjectKeys.isStaging("backups/main.db")).isFalse();
    assertThat(ObjectKeys.isStaging("backups/main.db.partial-")).isFalse();
    assertThat(ObjectKeys.isStaging("backups/main.db.partial-not-a-uuid")).isFalse();
    assertThat(ObjectKeys.isStaging("backups/main.db.partial-" + ID + "/more")).isFalse();
    assertThat(ObjectKeys.isStaging("backups/main.db.partial-" + ID.toString().toUpperCase())).isFalse();
    assertThatThrownBy(() -> ObjectKeys.finalKeyOf("backups/main.db")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ordinaryKeysAreAccepted() {
    assertThat(ObjectKeys.requireValid("a")).isEqualTo("a");
    assertThat(ObjectKeys.requireValid("backups/ns/cluster/snapshot 1 (ü).db")).isNotNull();
  }

  @Test
  void keysThatCannotBeStoredOrWouldBeMistakesAreRefused() {
    assertThatThrownBy(() -> ObjectKeys.requireValid(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ObjectKeys.requireValid("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ObjectKeys.requireValid("/backups/a.db")).hasMessageContaining("starts with '/'");
    assertThatThrownBy(() -> ObjectKeys.requireValid("a\nb")).hasMessageContaining("control characters");
    assertThatThrownBy(() -> ObjectKeys.requireValid(ObjectKeys.stagingKey("a.db", ID)))
        .hasMessageContaining("staging key");
  }

  @Test
  void aKeyMustLeaveRoomForItsStagingSuffixWithinS3sLimit() {
    String longest = "k".repeat(ObjectKeys.MAX_FINAL_KEY_BYTES);
    assertThat(ObjectKeys.requireValid(longest)).isEqualTo(longest);
    assertThat(ObjectKeys.stagingKey(longest, ID).getBytes(StandardCharsets.UTF_8)).hasSize(ObjectKeys.MAX_KEY_BYTES);
    assertThatThrownBy(() -> ObjectKeys.requireValid(longest + "k")).hasMessageContaining("UTF-8 bytes");
    // counted in bytes, not characters
    String multiByte = "ü".repeat(ObjectKeys.MAX_FINAL_KEY_BYTES / 2 + 1);
    assertThatThrownBy(() -> ObjectKeys.requireValid(multiByte)).hasMessageContaining("UTF-8 bytes");
  }
}
