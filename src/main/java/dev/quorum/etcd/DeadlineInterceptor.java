package dev.quorum.etcd;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Gives every gRPC call a deadline. jetcd sets none, so a member that accepts a connection but never
 * answers would otherwise hold the call (and its channel) open forever.
 */
final class DeadlineInterceptor implements ClientInterceptor {

  private final Duration timeout;

  DeadlineInterceptor(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    CallOptions bounded = options.getDeadline() == null
        ? options.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        : options;
    return next.newCall(method, bounded);
  }
}
