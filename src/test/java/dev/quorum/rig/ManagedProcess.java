package dev.quorum.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A child process whose output goes to a log file and which is always stopped:
 * SIGTERM, then SIGKILL after a grace period, and by a JVM shutdown hook if the test run dies first.
 */
public final class ManagedProcess implements AutoCloseable {

  private static final Set<ManagedProcess> LIVE = ConcurrentHashMap.newKeySet();

  /** Set once the JVM shuts down: from then on nothing starts, so a pod's restart cannot outlive the reaper. */
  private static volatile boolean reaping;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ManagedProcess::reap, "rig-process-reaper"));
  }

  private static void reap() {
    synchronized (LIVE) {
      reaping = true;
    }
    while (!LIVE.isEmpty()) {
      List.copyOf(LIVE).forEach(p -> p.stop(Duration.ofSeconds(2)));
    }
  }

  private final String name;
  private final Process process;
  private final Path log;

  private ManagedProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  public static ManagedProcess start(String name, List<String> command, Map<String, String> env, Path workDir,
      Path log) {
    try {
      Files.createDirectories(log.getParent());
      Files.createDirectories(workDir);
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      if (env != null) {
        builder.environment().clear();
        builder.environment().putAll(env);
      }
      // under the lock the reaper takes: a process starts before it reaps, and so is reaped, or not at all
      synchronized (LIVE) {
        if (reaping) {
          throw new IllegalStateException("not starting " + name + ": the JVM is shutting down");
        }
        ManagedProcess managed = new ManagedProcess(name, builder.start(), log);
        LIVE.add(managed);
        return managed;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public Process process() {
    return process;
  }

  /** SIGTERM, wait up to {@code grace}, then SIGKILL; descendants too. Returns the exit code. */
  public int stop(Duration grace) {
    try {
      if (process.isAlive()) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
      return process.isAlive() ? -1 : process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return -1;
    } finally {
      LIVE.remove(this);
    }
  }

  /** The way a crash looks: SIGKILL, no chance to clean up. */
  public void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LIVE.remove(this);
  }

  /** The last lines of the log, for failure messages. */
  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }

  @Override
  public String toString() {
    return name + "(pid " + process.pid() + ", log " + log + ")";
  }
}
