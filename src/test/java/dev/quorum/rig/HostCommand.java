package dev.quorum.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A short command the rig runs on this machine (ip, nsenter, mount, ctr), failing with what it was for. */
public final class HostCommand {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private HostCommand() {
  }

  public record Result(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /** Runs {@code command}; a non-zero exit fails with {@code purpose}, the command and its output. */
  public static String run(String purpose, List<String> command) {
    Result result = attempt(command);
    if (!result.ok()) {
      throw new IllegalStateException("rig: cannot " + purpose + ": `" + String.join(" ", command) + "` exited "
          + result.exitCode() + ": " + result.output().strip());
    }
    return result.output();
  }

  public static String run(String purpose, String... command) {
    return run(purpose, List.of(command));
  }

  /** Runs {@code command} and returns how it ended, for commands whose failure is an answer (cleanup, probes). */
  public static Result attempt(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, "timed out after " + TIMEOUT.toSeconds() + " s");
      }
      return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("error=2")) {
        return new Result(127, command.get(0) + " is not installed");
      }
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }

  public static Result attempt(String... command) {
    return attempt(List.of(command));
  }
}
