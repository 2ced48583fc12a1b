package dev.quorum.metrics;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetricsV2;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The Java Operator SDK's own reconciliation metrics per controller ({@code reconciliations_started_total},
 * {@code reconciliations_failure_total}, {@code reconciliations_execution_duration_seconds}, {@code
 * reconciliations_queue}, {@code custom_resources}…), through the SDK's Micrometer implementation (its version 2:
 * per controller, not per resource, so the series do not grow with the clusters).
 *
 * <p>Why produced here: the Quarkus extension's default producer hands the SDK its metrics before Micrometer has bound
 * them to the registry, so the SDK keeps its no-op and nothing is exported (seen on 7.7.3). This producer takes the
 * registry itself, and replaces that default bean.
 */
@ApplicationScoped
public class ReconciliationMetrics {

  @Produces
  @Singleton
  Metrics operatorSdkMetrics(MeterRegistry registry) {
    return MicrometerMetricsV2.newBuilder(registry).build();
  }
}
