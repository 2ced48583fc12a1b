package dev.quorum.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.StatusResponse;
import org.junit.jupiter.api.Test;

/** The fields of etcd's status answer that jetcd 0.8.5's copy of the protocol does not name, read by etcd's numbers. */
class MemberProbeTest {

  @Test
  void aThreeSixAnswerGivesTheDataInUseTheStorageVersionAndTheDowngradeEnabled() {
    UnknownFieldSet downgradeInfo = UnknownFieldSet.newBuilder()
        .addField(1, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
        .addField(2, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("3.5.0")).build())
        .build();
    StatusResponse status = answer(UnknownFieldSet.newBuilder()
        .addField(9, UnknownFieldSet.Field.newBuilder().addVarint(4096).build())
        .addField(11, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("3.5.0")).build())
        .addField(13, UnknownFieldSet.Field.newBuilder().addLengthDelimited(downgradeInfo.toByteString()).build())
        .build());

    MemberProbe probe = MemberProbe.answered(status);

    assertThat(probe.database()).isEqualTo(new DatabaseSize(20480, 4096));
    assertThat(probe.storageVersion()).isEqualTo("3.5.0");
    assertThat(probe.downgradeTarget()).isEqualTo("3.5.0");
  }

  @Test
  void aThreeFiveAnswerOrADowngradeNotEnabledGivesNone() {
    MemberProbe old = MemberProbe.answered(answer(UnknownFieldSet.getDefaultInstance()));
    assertThat(old.storageVersion()).isNull();
    assertThat(old.downgradeTarget()).isNull();
    assertThat(old.database()).as("in use unknown: all of it").isEqualTo(new DatabaseSize(20480, 20480));

    UnknownFieldSet notEnabled = UnknownFieldSet.newBuilder()
        .addField(2, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("")).build())
        .build();
    assertThat(MemberProbe.answered(answer(UnknownFieldSet.newBuilder()
        .addField(13, UnknownFieldSet.Field.newBuilder().addLengthDelimited(notEnabled.toByteString()).build())
        .build())).downgradeTarget()).isNull();
  }

  private static StatusResponse answer(UnknownFieldSet unnamed) {
    return StatusResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setMemberId(7).setRevision(10))
        .setVersion("3.6.16").setDbSize(20480).setLeader(7).setUnknownFields(unnamed).build();
  }
}
