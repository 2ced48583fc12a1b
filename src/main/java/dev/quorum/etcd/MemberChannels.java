package dev.quorum.etcd;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * gRPC channels to one cluster's members, one per client URL, opened on first use and closed with the client: every
 * etcd call the operator makes is aimed at one member ({@link MemberTargets} says which), so none goes through a
 * balancer that picks a member for it.
 *
 * <p>A channel that lost its member is replaced by a fresh one before the next call: gRPC would otherwise hold a
 * failed channel in its reconnect back-off (up to two minutes) and fail every call on it at once, long after the
 * member came back. A fresh channel tries to connect when called, and fails fast when nothing listens.
 */
class MemberChannels implements AutoCloseable {

  private final EtcdClientSettings settings;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  MemberChannels(EtcdClientSettings settings) {
    this.settings = settings;
  }

  EtcdClientSettings settings() {
    return settings;
  }

  /** One call to the member at {@code endpoint}, bounded by the request timeout; never blocks. */
  <Q, R> CompletableFuture<R> call(String endpoint, MethodDescriptor<Q, R> method, Q request) {
    return call(endpoint, method, request, settings.requestTimeout());
  }

  /** One call to the member at {@code endpoint}, bounded by {@code deadline} (a defragmentation takes longer). */
  <Q, R> CompletableFuture<R> call(String endpoint, MethodDescriptor<Q, R> method, Q request, Duration deadline) {
    CompletableFuture<R> result = new CompletableFuture<>();
    ManagedChannel channel;
    try {
      channel = to(endpoint);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return result;
    }
    ListenableFuture<R> call = ClientCalls.futureUnaryCall(channel.newCall(method,
        CallOptions.DEFAULT.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)), request);
    call.addListener(() -> {
      try {
        result.complete(call.get());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof StatusRuntimeException failed && lostConnection(failed.getStatus())) {
          forget(endpoint, channel);
        }
        result.completeExceptionally(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        result.completeExceptionally(e);
      }
    }, MoreExecutors.directExecutor());
    return result;
  }

  /** The transport failed (not etcd answering "unavailable" itself, as a member without a leader does). */
  static boolean lostConnection(Status status) {
    return status.getCode() == Status.Code.UNAVAILABLE
        && (status.getCause() != null || status.getDescription() == null
            || !status.getDescription().startsWith("etcdserver:"));
  }

  /** The channel to {@code endpoint}: the open one, or a new one when there is none or it has failed. */
  ManagedChannel to(String endpoint) {
    if (closed) {
      throw new IllegalStateException("the etcd client is closed");
    }
    ManagedChannel current = channels.get(endpoint);
    if (current != null && current.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      forget(endpoint, current);
    }
    ManagedChannel channel = channels.computeIfAbsent(endpoint, e -> GrpcChannels.to(e, settings).build());
    if (closed) {
      // closed meanwhile: the channel made just now would outlive the client
      channel.shutdownNow();
      throw new IllegalStateException("the etcd client is closed");
    }
    return channel;
  }

  private void forget(String endpoint, ManagedChannel channel) {
    if (channels.remove(endpoint, channel)) {
      channel.shutdownNow();
    }
  }

  /** Channels open now, for tests. */
  int open() {
    return channels.size();
  }

  @Override
  public void close() {
    closed = true;
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
