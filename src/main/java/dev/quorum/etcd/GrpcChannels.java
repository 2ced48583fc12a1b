package dev.quorum.etcd;

import io.grpc.netty.NegotiationType;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import java.net.URI;

/**
 * gRPC channels of the operator's own to one member, for the calls jetcd cannot make (a snapshot with backpressure,
 * a learner's promotion): the member's client URL, TLS when the settings carry an SSL context, as for jetcd.
 */
final class GrpcChannels {

  private GrpcChannels() {}

  static NettyChannelBuilder to(String endpoint, EtcdClientSettings settings) {
    URI uri = URI.create(endpoint);
    if (uri.getHost() == null || uri.getPort() < 0) {
      throw new IllegalArgumentException("an etcd endpoint looks like http://host:2379, not " + endpoint);
    }
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort())
        .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.dialTimeout().toMillis());
    settings.sslContext().ifPresentOrElse(
        ssl -> builder.negotiationType(NegotiationType.TLS).sslContext(ssl),
        () -> builder.negotiationType(NegotiationType.PLAINTEXT));
    return builder;
  }
}
