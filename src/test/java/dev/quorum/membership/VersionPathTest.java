package dev.quorum.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class VersionPathTest {

  @Test
  void oneMinorForwardAndAnyPatchAreSupported() {
    assertThat(VersionPath.refusal("3.6.16", List.of("3.5.26", "3.5.35", "3.5.26"))).isEmpty();
    assertThat(VersionPath.refusal("3.5.17", List.of("3.5.21"))).as("patch releases go either way").isEmpty();
    assertThat(VersionPath.refusal("3.6.16", List.of())).as("nothing runs yet").isEmpty();
  }

  @Test
  void aMinorUpgradeStartsOnlyFromThePatchReleaseEtcdsGuideAccepts() {
    assertThat(VersionPath.refusal("3.6.16", List.of("3.5.35", "3.5.25", "3.5.35"))).get().asString()
        .contains("etcd's 3.6 upgrade guide starts only from 3.5.26 or later", "members run 3.5.25",
            "set version 3.5.26 (or a newer 3.5 patch) first, then 3.6.16");
    assertThat(VersionPath.refusal("3.5.35", List.of("3.5.11"))).as("a patch upgrade within 3.5 is how to get there")
        .isEmpty();
  }

  @Test
  void aHalfDoneUpgradeMayBeUndone() {
    assertThat(VersionPath.refusal("3.5.21", List.of("3.6.16", "3.5.21", "3.6.16"))).isEmpty();
  }

  @Test
  void onceEveryMemberRunsTheNewerMinorOneMinorBackGoesThroughEtcdsDowngradeApi() {
    assertThat(VersionPath.refusal("3.5.35", List.of("3.6.16", "3.6.16", "3.6.16"))).isEmpty();
    assertThat(VersionPath.refusal("3.5.21", List.of("3.6.16", "3.6.16", "3.6.16"))).get().asString()
        .contains("version 3.5.21 is a downgrade to a 3.5 patch that etcd's 3.6 upgrade guide does not start from",
            "set 3.5.26 or a newer 3.5 patch");
  }

  @Test
  void aDowngradeOfMoreThanOneMinorOrWithoutEtcdsDowngradeApiIsRefused() {
    assertThat(VersionPath.refusal("3.5.35", List.of("3.7.1", "3.7.1", "3.7.1"))).get().asString()
        .contains("version 3.5.35 is a downgrade", "every member runs 3.7.1 or newer", "one minor release at a time",
            "restore a backup");
    assertThat(VersionPath.refusal("3.4.30", List.of("3.5.35"))).get().asString()
        .contains("through its downgrade API (from 3.6 on)");
  }

  @Test
  void skippingAMinorIsRefusedNamingTheStepInBetween() {
    assertThat(VersionPath.refusal("3.7.0", List.of("3.5.21", "3.6.16"))).get().asString()
        .contains("skips a minor release").contains("members run 3.5.21").contains("set a 3.6.x version first");
  }
}
