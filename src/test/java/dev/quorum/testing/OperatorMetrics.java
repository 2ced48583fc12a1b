package dev.quorum.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The operator's Prometheus metrics as a scrape returns them, and one series' value read from that text. */
public final class OperatorMetrics {

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)\\} (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  private OperatorMetrics() {}

  /** What the operator serves at /q/metrics now. */
  public static String scrape(URI metricsUrl) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(metricsUrl).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  /**
   * The value of the one series named {@code name} whose labels include {@code labels}; empty when none has them.
   * More than one is a mistake of the caller's, who named too few labels.
   */
  public static Optional<Double> value(String scrape, String name, Map<String, String> labels) {
    Optional<Double> found = Optional.empty();
    for (String line : scrape.split("\n")) {
      Matcher sample = SAMPLE.matcher(line);
      if (sample.matches() && sample.group(1).equals(name) && labels(sample.group(2)).entrySet()
          .containsAll(labels.entrySet())) {
        assertThat(found).as("more than one %s series with %s", name, labels).isEmpty();
        found = Optional.of(Double.parseDouble(sample.group(3)));
      }
    }
    return found;
  }

  /** The names of every series whose labels include {@code labels}. */
  public static Set<String> names(String scrape, Map<String, String> labels) {
    return scrape.lines().map(SAMPLE::matcher).filter(Matcher::matches)
        .filter(s -> labels(s.group(2)).entrySet().containsAll(labels.entrySet())).map(s -> s.group(1))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new TreeMap<>();
    Matcher label = LABEL.matcher(text);
    while (label.find()) {
      labels.put(label.group(1), label.group(2));
    }
    return labels;
  }
}
