package dev.quorum.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.rig.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The chart's alert rules, as Prometheus' own checker reads them: {@code promtool check rules} (syntax, PromQL,
 * templates) and {@code promtool test rules} (each alert fires on series that should fire it, and not on the others).
 * promtool is built with the rig's Prometheus by hack/tools.sh; its output is kept under target/.
 */
class AlertRulesIT {

  static final Path RULES = Path.of("helm/quorum/files/alerts.yaml");
  static final Path TESTS = Path.of("src/test/prometheus/alerts-test.yaml");
  static final Path LOGS = Path.of("target/promtool");

  @Test
  void theChartsAlertRulesAreValidPrometheusRules() throws Exception {
    String output = promtool("check-rules", "check", "rules", RULES.toString());

    assertThat(output).contains("SUCCESS").contains("rules found");
  }

  @Test
  void eachAlertFiresOnTheSeriesMeantToFireItAndOnNoOther() throws Exception {
    String output = promtool("test-rules", "test", "rules", TESTS.toString());

    assertThat(output).contains("SUCCESS");
  }

  @Test
  void everyAlertHasAUnitTestAndARunbook() throws IOException {
    String rules = Files.readString(RULES);
    String tests = Files.readString(TESTS);
    List<String> alerts = new ArrayList<>();
    rules.lines().map(String::strip).filter(l -> l.startsWith("- alert: "))
        .forEach(l -> alerts.add(l.substring("- alert: ".length())));

    assertThat(alerts).hasSizeGreaterThanOrEqualTo(10);
    assertThat(alerts).allSatisfy(alert -> assertThat(tests).contains("alertname: " + alert));
    assertThat(rules.split("runbook: ", -1)).hasSize(alerts.size() + 1);
  }

  /** Runs promtool, its output kept as target/promtool/{@code name}.log; fails unless it exits 0. */
  private static String promtool(String name, String... args) throws Exception {
    Files.createDirectories(LOGS);
    Path log = LOGS.resolve(name + ".log");
    List<String> command = new ArrayList<>(List.of(Tools.locate().promtool().toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("promtool %s finished", name).isTrue();
    } finally {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
