package dev.quorum.etcd;

import com.google.protobuf.CodedOutputStream;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * etcd RPCs whose request is one member ID (field 1, a uint64) and whose answer's content is not needed, only whether
 * etcd agreed: for the calls the gRPC stubs jetcd 0.8.5 brings lack (a learner's promotion).
 */
final class IdRpc {

  private IdRpc() {}

  static MethodDescriptor<Long, byte[]> method(String service, String name) {
    return MethodDescriptor.<Long, byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, name))
        .setRequestMarshaller(new IdMarshaller())
        .setResponseMarshaller(bytes())
        .build();
  }

  /** An answer taken as it comes: only whether etcd agreed matters. */
  static MethodDescriptor.Marshaller<byte[]> bytes() {
    return new BytesMarshaller();
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
