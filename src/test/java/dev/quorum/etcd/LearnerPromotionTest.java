package dev.quorum.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.api.MemberAddRequest;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

class LearnerPromotionTest {

  @Test
  void theRequestIsTheMemberIdAsField1() throws Exception {
    long id = 0x8e9e05c52164694dL; // above Long.MAX_VALUE as etcd's IDs often are: a uint64 on the wire
    byte[] wire = LearnerPromotion.MEMBER_PROMOTE.streamRequest(id).readAllBytes();

    // field 1, varint, as any protobuf uint64 field 1: read back through a generated message with the same shape
    com.google.protobuf.CodedInputStream in = com.google.protobuf.CodedInputStream.newInstance(wire);
    assertThat(in.readTag()).isEqualTo(1 << 3);
    assertThat(in.readUInt64()).isEqualTo(id);
    assertThat(in.isAtEnd()).isTrue();
    assertThat(LearnerPromotion.MEMBER_PROMOTE.getFullMethodName()).isEqualTo("etcdserverpb.Cluster/MemberPromote");
    assertThat(MemberAddRequest.getDescriptor().getFile().getPackage()).as("etcd's proto package").isEqualTo("etcdserverpb");
  }

  @Test
  void onlyEtcdsNotInSyncAnswerMeansTryAgain() {
    assertThat(LearnerPromotion.isNotCaughtUp(Status.FAILED_PRECONDITION.withDescription(
        "etcdserver: can only promote a learner member which is in sync with leader"))).isTrue();
    assertThat(LearnerPromotion.isNotCaughtUp(Status.FAILED_PRECONDITION.withDescription(
        "etcdserver: can only promote a learner member"))).isFalse();
    assertThat(LearnerPromotion.isNotCaughtUp(Status.NOT_FOUND.withDescription("etcdserver: member not found")))
        .isFalse();
  }
}
