package dev.quorum.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts behind the README's commands never end without saying why: a build step that fails is named, with its
 * exit code and the last lines of its output, and the script exits non-zero. The failure is injected into one step
 * by a {@code go} on the PATH that fails its builds (the real one does everything else), into a fresh tool directory.
 */
class ScriptFailuresIT {

  private static final Path REPO = Path.of("").toAbsolutePath();

  @TempDir
  Path dir;

  @Test
  void aFailingBuildStepOfTheToolsIsNamedWithItsLastLines() throws Exception {
    Result tools = run(List.of("bash", "hack/tools.sh"), failingGo());

    assertThat(tools.exitCode()).as(tools.output()).isEqualTo(3);
    assertThat(tools.output())
        .contains("[tools] FAILED: step 'etcd 3.6.16: build etcd' exited with code 3")
        .contains("compile: simulated failure building go.etcd.io/etcd/server/v3");
    assertThat(Files.exists(dir.resolve("tools/logs/etcd-3.6.16--build-etcd.log"))).as("the step's whole log")
        .isTrue();
  }

  @Test
  void theTestCommandSaysWhichOfItsStepsFailed() throws Exception {
    Result test = run(List.of("bash", "hack/test.sh", "-Dtest=none"), failingGo());

    assertThat(test.exitCode()).as(test.output()).isNotZero();
    assertThat(test.output()).contains("[test] FAILED: step 'the rig's tools (hack/tools.sh)' exited with code 3")
        .contains("compile: simulated failure");
  }

  @Test
  void theDemoSaysWhichOfItsStepsFailed() throws Exception {
    Result demo = run(List.of("bash", "hack/demo.sh", "--exit"), failingGo());

    assertThat(demo.exitCode()).as(demo.output()).isNotZero();
    assertThat(demo.output()).contains("[demo] FAILED: step 'the rig's tools (hack/tools.sh)' exited with code 3")
        .contains("compile: simulated failure");
  }

  /** A go that fails every build, saying so as a compiler would, and runs the real one for everything else. */
  private Map<String, String> failingGo() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    String realGo = which("go");
    Path go = bin.resolve("go");
    Files.writeString(go, """
        #!/bin/sh
        for arg in "$@"; do
          if [ "$arg" = build ]; then
            last=""
            for a in "$@"; do last=$a; done
            echo "# $last"
            echo "compile: simulated failure building $last"
            exit 3
          fi
        done
        exec %s "$@"
        """.formatted(realGo));
    Files.setPosixFilePermissions(go, PosixFilePermissions.fromString("rwxr-xr-x"));
    return Map.of("PATH", bin + ":" + System.getenv("PATH"));
  }

  private static String which(String command) {
    for (String entry : System.getenv("PATH").split(":")) {
      Path candidate = Path.of(entry, command);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException(command + " is not on the PATH");
  }

  record Result(int exitCode, String output) {}

  private Result run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true);
    // a fresh tool directory: nothing cached, so the first build step runs (and fails) at once
    builder.environment().put("QUORUM_TOOLS", dir.resolve("tools").toString());
    builder.environment().putAll(env);
    Path out = dir.resolve("output.log");
    builder.redirectOutput(out.toFile());
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("still running after 5 minutes:\n" + Files.readString(out));
    }
    return new Result(process.exitValue(), Files.readString(out));
  }
}
