package dev.quorum.render;

/** One etcd member of a rendered cluster: its name and the host (address or DNS name) its peers reach it at. */
public record Peer(String name, String host) {

  /** host:port, with an IPv6 address in brackets. */
  public String hostPort(int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
