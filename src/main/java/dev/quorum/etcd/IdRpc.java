package dev.quorum.etcd;

import com.google.protobuf.CodedOutputStream;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * etcd RPCs whose request is one member ID (field 1, a uint64), sent to one member over a channel of their own: the
 * answer's content is not needed, only whether etcd agreed. Used for the calls jetcd 0.8.5 lacks or cannot aim at a
 * given member.
 */
final class IdRpc {

  private IdRpc() {}

  static MethodDescriptor<Long, byte[]> method(String service, String name) {
    return MethodDescriptor.<Long, byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, name))
        .setRequestMarshaller(new IdMarshaller())
        .setResponseMarshaller(new BytesMarshaller())
        .build();
  }

  /** Blocks up to the request timeout; throws {@link io.grpc.StatusRuntimeException} when etcd refuses. */
  static void call(String endpoint, EtcdClientSettings settings, MethodDescriptor<Long, byte[]> method, long id) {
    ManagedChannel channel = GrpcChannels.to(endpoint, settings).build();
    try {
      ClientCalls.blockingUnaryCall(channel, method,
          CallOptions.DEFAULT.withDeadlineAfter(settings.requestTimeout().toNanos(), TimeUnit.NANOSECONDS), id);
    } finally {
      channel.shutdownNow();
    }
  }

  /** Field 1, the member ID as a uint64. */
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
