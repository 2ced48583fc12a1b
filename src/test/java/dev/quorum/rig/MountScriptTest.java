package dev.quorum.rig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MountScriptTest {

  @Test
  void stagesEverySourceBeforeMountingAnyTarget() {
    String script = MountScript.build("/work/rig/hosts", List.of(
        new MountScript.Mount("/work/rig/config", "/config", false),
        new MountScript.Mount("/work/rig/work", "/work", false)));
    List<String> lines = script.lines().toList();
    int lastStaging = lines.indexOf("mount --bind '/work/rig/hosts' '/run/quorum-rig/2'");
    int firstTarget = lines.indexOf("mount --bind '/run/quorum-rig/0' '/work'");
    assertThat(lastStaging).isPositive();
    assertThat(firstTarget).as("targets are mounted only after every source is staged").isGreaterThan(lastStaging);
    assertThat(lines).containsSubsequence("mount --bind '/run/quorum-rig/1' '/config'",
        "mount --bind '/run/quorum-rig/2' '/etc/hosts'", "exec \"$@\"");
  }

  @Test
  void stagingAvoidsDirectoriesHiddenByMountPaths() {
    assertThat(MountScript.staging(List.of(new MountScript.Mount("/a", "/run", false)))).isEqualTo("/mnt/quorum-rig");
    assertThat(MountScript.staging(List.of(new MountScript.Mount("/a", "/run/quorum-rig/x", false),
        new MountScript.Mount("/b", "/mnt", false)))).isEqualTo("/var/tmp/quorum-rig");
    assertThatThrownBy(() -> MountScript.staging(List.of(new MountScript.Mount("/a", "/", false))))
        .hasMessageContaining("staging");
  }

  @Test
  void theProcessJoinsItsPodsCgroupBeforeAnythingElse() {
    String script = MountScript.build("/work/rig/hosts", List.of(),
        java.util.Optional.of(java.nio.file.Path.of("/sys/fs/cgroup/unified/quorum-rig-1/uid-1/cgroup.procs")));

    assertThat(script.lines().toList()).startsWith("set -e",
        "echo $$ > '/sys/fs/cgroup/unified/quorum-rig-1/uid-1/cgroup.procs'");
    assertThat(script).endsWith("exec \"$@\"\n");
  }

  @Test
  void quotesPathsForTheShell() {
    assertThat(MountScript.quote("/it's here")).isEqualTo("'/it'\"'\"'s here'");
  }
}
