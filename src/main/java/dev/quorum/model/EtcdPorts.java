package dev.quorum.model;

/** The ports every member listens on. */
public final class EtcdPorts {

  public static final int CLIENT = 2379;
  public static final int PEER = 2380;
  /** Plain-HTTP listener for /metrics, /readyz and /livez, so probes need no client certificate. */
  public static final int METRICS = 2381;
  /** The name of that port on a member's container, which a PodMonitor scrapes by. */
  public static final String METRICS_NAME = "metrics";

  private EtcdPorts() {}
}
