package dev.quorum.specs;

import dev.quorum.model.EtcdPorts;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;

/** Health checks against etcd's metrics listener, which serves /readyz and /livez. */
final class EtcdProbes {

  private EtcdProbes() {}

  /** Every 2 s, cheap for etcd. Ready means the member serves linearizable requests, so the client Service only routes to those. */
  static Probe readiness() {
    return http("/readyz", 2, 3);
  }

  /** Generous: a member that is slow while catching up must not be restarted into a loop. */
  static Probe liveness() {
    return http("/livez", 10, 8);
  }

  /**
   * Long budget (5 minutes) for a first start or a big WAL replay, before liveness takes over. /livez, not
   * /readyz: a member that comes back while a majority is still down cannot be ready, and must not be
   * restarted for it. Asked every second: readiness is not probed before this succeeds, so its period is
   * what a new member waits before it can become ready.
   */
  static Probe startup() {
    return http("/livez", 1, 300);
  }

  private static Probe http(String path, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString(EtcdPorts.METRICS))
        .withScheme("HTTP")
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(5)
        .withFailureThreshold(failureThreshold)
        .build();
  }
}
