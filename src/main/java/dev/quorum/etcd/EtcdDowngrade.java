package dev.quorum.etcd;

import com.google.protobuf.CodedOutputStream;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * etcd's downgrade API ({@code Maintenance/Downgrade}, 3.6 on; {@code etcdctl downgrade validate|enable|cancel}), which
 * the gRPC stubs jetcd 0.8.5 brings lack ({@link EtcdClusterClient#downgrade} sends it).
 */
public final class EtcdDowngrade {

  /** DowngradeRequest.DowngradeAction, by etcd's numbers. */
  public enum Action {
    /** Whether the cluster can go to the version: it runs the next minor release, every member on it. */
    VALIDATE(0),
    /** The cluster version goes to the target, and each member rewrites its data in the target's format. */
    ENABLE(1),
    /** A downgrade under way is called off; members already on the older release run on. */
    CANCEL(2);

    final int number;

    Action(int number) {
      this.number = number;
    }
  }

  /** A request: the action, and the version (major.minor) it is for. */
  record Request(Action action, String version) {}

  /** DowngradeRequest: action is field 1 (an enum), version field 2 (a string); the answer is not needed. */
  static final MethodDescriptor<Request, byte[]> METHOD = MethodDescriptor.<Request, byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("etcdserverpb.Maintenance", "Downgrade"))
      .setRequestMarshaller(new RequestMarshaller())
      .setResponseMarshaller(IdRpc.bytes())
      .build();

  private EtcdDowngrade() {}

  private static final class RequestMarshaller implements MethodDescriptor.Marshaller<Request> {
    @Override
    public InputStream stream(Request request) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
      try {
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeEnum(1, request.action().number);
        out.writeString(2, request.version());
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new ByteArrayInputStream(bytes.toByteArray());
    }

    @Override
    public Request parse(InputStream stream) {
      throw new UnsupportedOperationException("requests are only sent");
    }
  }
}
