package dev.quorum.etcd;

import com.google.protobuf.CodedOutputStream;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * Promotes a learner to a voting member through etcd's {@code Cluster/MemberPromote} RPC, which jetcd 0.8.5 does not
 * offer. The request is one field (the member ID); the answer's content is not needed, only whether etcd agreed.
 */
public final class LearnerPromotion {

  /** What etcd answers while the learner has not caught up with the leader's log: try again later. */
  public static final class NotCaughtUp extends Exception {
    NotCaughtUp(String message) {
      super(message);
    }
  }

  static final MethodDescriptor<Long, byte[]> MEMBER_PROMOTE = MethodDescriptor.<Long, byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("etcdserverpb.Cluster", "MemberPromote"))
      .setRequestMarshaller(new IdMarshaller())
      .setResponseMarshaller(new BytesMarshaller())
      .build();

  private LearnerPromotion() {}

  /**
   * Asks the member at {@code endpoint} (any member: it forwards to the leader) to promote learner {@code id}.
   *
   * @throws NotCaughtUp while the learner is behind; etcd refuses early promotion, so the caller retries later
   * @throws StatusRuntimeException for anything else (no such member, not a learner, no leader, unreachable)
   */
  public static void promote(String endpoint, EtcdClientSettings settings, long id) throws NotCaughtUp {
    ManagedChannel channel = GrpcChannels.to(endpoint, settings).build();
    try {
      ClientCalls.blockingUnaryCall(channel, MEMBER_PROMOTE,
          CallOptions.DEFAULT.withDeadlineAfter(settings.requestTimeout().toNanos(), TimeUnit.NANOSECONDS), id);
    } catch (StatusRuntimeException e) {
      if (isNotCaughtUp(e.getStatus())) {
        throw new NotCaughtUp("learner " + EtcdIds.toHex(id) + " has not caught up with the leader yet: "
            + e.getStatus().getDescription());
      }
      throw e;
    } finally {
      channel.shutdownNow();
    }
  }

  /** etcd's ErrGRPCLearnerNotReady: "etcdserver: can only promote a learner member which is in sync with leader". */
  static boolean isNotCaughtUp(Status status) {
    return status.getCode() == Status.Code.FAILED_PRECONDITION && status.getDescription() != null
        && status.getDescription().contains("in sync with leader");
  }

  /** MemberPromoteRequest: field 1, the member ID as a uint64. */
  private static final class IdMarshaller implements MethodDescriptor.Marshaller<Long> {
    @Override
    public InputStream stream(Long id) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(16);
      try {
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeUInt64(1, id);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new ByteArrayInputStream(bytes.toByteArray());
    }

    @Override
    public Long parse(InputStream stream) {
      throw new UnsupportedOperationException("requests are only sent");
    }
  }

  private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
