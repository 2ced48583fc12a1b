package dev.quorum.model;

/** How members speak to each other and to clients; TLS switches a cluster to HTTPS. */
public enum Scheme {
  HTTP("http"),
  HTTPS("https");

  private final String prefix;

  Scheme(String prefix) {
    this.prefix = prefix;
  }

  /** The one place an etcd URL is formed. */
  public String url(String host, int port) {
    String bracketed = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return prefix + "://" + bracketed + ":" + port;
  }
}
