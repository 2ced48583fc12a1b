package dev.quorum.rig;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus (built by hack/tools.sh) as its own process on the host: it scrapes the jobs it is given, the
 * way the Prometheus Operator would render them from PodMonitors (see testing.PodMonitorTargets), evaluates rule
 * files, and answers its HTTP API. The host reaches pods through the rig's routes, as a Prometheus in the cluster
 * would. Its data and log stay under the directory it is given.
 */
public final class PrometheusServer implements AutoCloseable {

  /** One scrape job: what a PodMonitor's endpoint renders to. */
  public record ScrapeJob(String name, String path, boolean honorLabels, List<Target> targets) {}

  /** One target: host:port, and the labels Prometheus attaches to its series. */
  public record Target(String address, Map<String, String> labels) {}

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Path config;
  private final Duration interval;
  private final List<Path> ruleFiles;
  private final int port = Net.freePort("127.0.0.1");
  private final HttpClient http = HttpClient.newHttpClient();
  private final ManagedProcess process;

  /**
   * @param interval how often it scrapes and evaluates its rules
   * @param ruleFiles rule files it loads, as Prometheus' rule_files
   */
  public PrometheusServer(Tools tools, Path dir, Duration interval, List<Path> ruleFiles) {
    this.dir = dir;
    this.config = dir.resolve("prometheus.yml");
    this.interval = interval;
    this.ruleFiles = ruleFiles;
    try {
      Files.createDirectories(dir.resolve("data"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    writeConfig(List.of());
    process = ManagedProcess.start("prometheus", List.of(tools.prometheus().toString(),
        "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port, "--web.enable-lifecycle"), null, dir, dir.resolve("prometheus.log"));
    await("Prometheus ready").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("prometheus exited:\n" + process.tail(20));
      }
      return Net.isListening("127.0.0.1", port) && get("/-/ready").statusCode() == 200;
    });
  }

  /** Scrapes these jobs from now on (the configuration is written again and reloaded). */
  public synchronized void scrape(List<ScrapeJob> jobs) {
    writeConfig(jobs);
    HttpResponse<String> reload = send(HttpRequest.newBuilder(url("/-/reload"))
        .POST(HttpRequest.BodyPublishers.noBody()));
    if (reload.statusCode() != 200) {
      throw new IllegalStateException("Prometheus refused the configuration: " + reload.body());
    }
  }

  /** An instant query: the result vector's samples, each with its metric's labels and value. */
  public JsonNode query(String promql) {
    JsonNode answer = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    return answer.path("data").path("result");
  }

  /** The alerts as Prometheus holds them now (pending and firing). */
  public JsonNode alerts() {
    return api("/api/v1/alerts").path("data").path("alerts");
  }

  /** The scrape targets' health, as Prometheus sees them. */
  public JsonNode targets() {
    return api("/api/v1/targets").path("data").path("activeTargets");
  }

  /** The rule groups as loaded: a rule file that did not load leaves its group out. */
  public JsonNode rules() {
    return api("/api/v1/rules").path("data").path("groups");
  }

  public Path dir() {
    return dir;
  }

  private JsonNode api(String path) {
    HttpResponse<String> response = get(path);
    try {
      JsonNode body = JSON.readTree(response.body());
      if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
        throw new IllegalStateException("Prometheus " + path + ": " + response.statusCode() + " " + response.body());
      }
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeConfig(List<ScrapeJob> jobs) {
    Map<String, Object> global = Map.of("scrape_interval", seconds(interval), "evaluation_interval",
        seconds(interval), "scrape_timeout", seconds(interval));
    List<Object> scrapeConfigs = new ArrayList<>();
    for (ScrapeJob job : jobs) {
      Map<String, Object> scrape = new LinkedHashMap<>();
      scrape.put("job_name", job.name());
      scrape.put("metrics_path", job.path());
      scrape.put("honor_labels", job.honorLabels());
      scrape.put("static_configs", job.targets().stream()
          .map(t -> Map.of("targets", List.of(t.address()), "labels", t.labels())).toList());
      scrapeConfigs.add(scrape);
    }
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("global", global);
    document.put("rule_files", ruleFiles.stream().map(p -> p.toAbsolutePath().toString()).toList());
    document.put("scrape_configs", scrapeConfigs);
    try {
      Path written = config.resolveSibling("prometheus.yml.new");
      YAML.writeValue(written.toFile(), document);
      Files.move(written, config, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String seconds(Duration duration) {
    return Math.max(1, duration.toSeconds()) + "s";
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(url(path)).GET());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.stop(Duration.ofSeconds(10));
  }
}
