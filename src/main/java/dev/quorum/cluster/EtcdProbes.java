package dev.quorum.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;

/** Health checks against etcd's metrics listener, which serves /readyz and /livez. */
final class EtcdProbes {

  private EtcdProbes() {}

  /** Ready means the member serves linearizable requests, so the client Service only routes to those. */
  static Probe readiness() {
    return http("/readyz", 5, 3);
  }

  /** Generous: a member that is slow while catching up must not be restarted into a loop. */
  static Probe liveness() {
    return http("/livez", 10, 8);
  }

  /**
   * Long budget (5 minutes) for a first start or a big WAL replay, before liveness takes over. /livez, not
   * /readyz: a member that comes back while a majority is still down cannot be ready, and must not be
   * restarted for it.
   */
  static Probe startup() {
    return http("/livez", 5, 60);
  }

  private static Probe http(String path, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString(EtcdClusterNames.METRICS_PORT))
        .withScheme("HTTP")
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(5)
        .withFailureThreshold(failureThreshold)
        .build();
  }
}
