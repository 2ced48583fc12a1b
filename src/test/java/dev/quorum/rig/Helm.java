package dev.quorum.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real helm binary (as built by {@code hack/tools.sh}) run as a child process with a time limit, its
 * configuration, cache and data kept under {@code target/helm} rather than the user's home.
 */
public final class Helm {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

  private final Path binary;
  private final Path home;

  public Helm(Path binary, Path home) {
    this.binary = binary;
    this.home = home;
  }

  public static Helm of(Tools tools) {
    return new Helm(tools.helm(), Path.of("target", "helm").toAbsolutePath());
  }

  public Path binary() {
    return binary;
  }

  /** Runs {@code helm args...}, waiting at most {@link #DEFAULT_TIMEOUT}. */
  public Result run(String... args) {
    return run(DEFAULT_TIMEOUT, List.of(args));
  }

  public Result run(Duration timeout, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(args);
    return exec(command, null, Map.of(
        "HELM_CONFIG_HOME", home.resolve("config").toString(),
        "HELM_CACHE_HOME", home.resolve("cache").toString(),
        "HELM_DATA_HOME", home.resolve("data").toString()), timeout);
  }

  /**
   * Runs any command in {@code workDir} (null: the current directory) with the JVM's environment plus
   * {@code env}; stdout and stderr are kept apart. A command still running after {@code timeout} is killed
   * (with its descendants) and the call fails.
   */
  public static Result exec(List<String> command, Path workDir, Map<String, String> env, Duration timeout) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("exec-", ".out");
      err = Files.createTempFile("exec-", ".err");
      ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
          .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      if (workDir != null) {
        builder.directory(workDir.toFile());
      }
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(command + " did not finish within " + timeout + "; output so far:\n"
            + Files.readString(out) + Files.readString(err));
      }
      return new Result(List.copyOf(command), process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a temp file left behind is harmless
      }
    }
  }

  /** Exit code, stdout and stderr of one run. */
  public record Result(List<String> command, int exitCode, String stdout, String stderr) {

    public boolean ok() {
      return exitCode == 0;
    }

    /** stdout then stderr. */
    public String output() {
      return stdout + stderr;
    }

    /** For assertion messages: the command, its exit code and everything it printed. */
    @Override
    public String toString() {
      return String.join(" ", command) + "\n  exited " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n"
          + stderr;
    }
  }
}
