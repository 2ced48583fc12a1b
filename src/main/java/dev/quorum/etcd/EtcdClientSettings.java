package dev.quorum.etcd;

import dev.quorum.config.QuorumConfig;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Optional;

/**
 * How the operator talks to etcd members. {@code sslContext} is the TLS hook: when present, clients speak TLS
 * (the model's scheme decides the https:// URLs they are given).
 */
public record EtcdClientSettings(Duration dialTimeout, Duration requestTimeout, Optional<SslContext> sslContext) {

  /** These settings over the TLS given, if any. */
  public EtcdClientSettings with(Optional<ClientTls> tls) {
    return tls.map(t -> new EtcdClientSettings(dialTimeout, requestTimeout, Optional.of(t.context()))).orElse(this);
  }

  public static EtcdClientSettings from(QuorumConfig config) {
    return new EtcdClientSettings(config.etcd().dialTimeout(), config.etcd().requestTimeout(), Optional.empty());
  }
}
