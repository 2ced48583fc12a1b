package dev.quorum.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What a command run "inside the cluster" printed, and its exit code (-1: it timed out). */
public record ClientResult(int exitCode, String output) {

  static ClientResult run(List<String> command, Duration timeout, Path scratch) {
    try {
      Path out = Files.createTempFile(scratch, "client", ".log");
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        return new ClientResult(-1, Files.readString(out) + "\n(timed out after " + timeout + ")");
      }
      String output = Files.readString(out);
      Files.deleteIfExists(out);
      return new ClientResult(process.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
