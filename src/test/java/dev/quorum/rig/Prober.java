package dev.quorum.rig;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/** httpGet, tcpSocket and exec probes with Kubernetes' timing: initial delay, period, timeout and thresholds. */
final class Prober {

  /** Per container and probe kind: when it last ran and how many consecutive results it has seen. */
  static final class State {
    Instant lastRun;
    int successes;
    int failures;
    String lastError;

    void reset() {
      lastRun = null;
      successes = 0;
      failures = 0;
      lastError = null;
    }

    /** TRUE once successThreshold is met, FALSE once failureThreshold is met, null while undecided or not due. */
    Boolean probe(Prober prober, Probe probe, PodRunner.ContainerRun run, Instant now) {
      int initialDelay = Objects.requireNonNullElse(probe.getInitialDelaySeconds(), 0);
      int period = Math.max(1, Objects.requireNonNullElse(probe.getPeriodSeconds(), 10));
      if (now.isBefore(run.startedAt.plusSeconds(initialDelay))
          || (lastRun != null && now.isBefore(lastRun.plusSeconds(period)))) {
        return null;
      }
      lastRun = now;
      String error = prober.check(probe, run);
      if (error == null) {
        successes++;
        failures = 0;
        lastError = null;
        return successes >= Math.max(1, Objects.requireNonNullElse(probe.getSuccessThreshold(), 1)) ? true : null;
      }
      failures++;
      successes = 0;
      lastError = error;
      return failures >= Math.max(1, Objects.requireNonNullElse(probe.getFailureThreshold(), 3)) ? false : null;
    }
  }

  private final String podIp;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  Prober(String podIp) {
    this.podIp = podIp;
  }

  /** null on success, else what failed. */
  String check(Probe probe, PodRunner.ContainerRun run) {
    int timeout = Math.max(1, Objects.requireNonNullElse(probe.getTimeoutSeconds(), 1));
    try {
      if (probe.getHttpGet() != null) {
        var get = probe.getHttpGet();
        String host = get.getHost() == null || get.getHost().isEmpty() ? podIp : get.getHost();
        String scheme = get.getScheme() == null ? "http" : get.getScheme().toLowerCase();
        String path = get.getPath() == null ? "/" : get.getPath();
        URI uri = URI.create(scheme + "://" + host + ":" + port(get.getPort(), run) + path);
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(timeout)).build(), HttpResponse.BodyHandlers.discarding());
        int code = response.statusCode();
        return code >= 200 && code < 400 ? null : "HTTP probe failed with statuscode: " + code;
      }
      if (probe.getTcpSocket() != null) {
        String host = probe.getTcpSocket().getHost() == null ? podIp : probe.getTcpSocket().getHost();
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(host, port(probe.getTcpSocket().getPort(), run)), timeout * 1000);
          return null;
        }
      }
      if (probe.getExec() != null) {
        List<String> command = run.execCommand(probe.getExec().getCommand());
        Path out = Files.createTempFile("probe", ".log");
        try {
          Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
          if (!p.waitFor(timeout, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "exec probe timed out after " + timeout + "s";
          }
          return p.exitValue() == 0 ? null
              : "exec probe exited " + p.exitValue() + ": " + Files.readString(out).strip();
        } finally {
          Files.deleteIfExists(out);
        }
      }
      return "probe type not supported by the rig (httpGet, tcpSocket and exec are)";
    } catch (IOException | Images.UnknownImageException | IllegalArgumentException e) {
      return e.toString(); // a probe that cannot run fails, like any other probe failure
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static int port(IntOrString port, PodRunner.ContainerRun run) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return Objects.requireNonNullElse(run.spec.getPorts(), List.<io.fabric8.kubernetes.api.model.ContainerPort>of())
        .stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no container port named " + port.getStrVal()))
        .getContainerPort();
  }
}
