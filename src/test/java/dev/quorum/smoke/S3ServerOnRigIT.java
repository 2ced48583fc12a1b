package dev.quorum.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.rig.RigSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The rig's S3 server answers the AWS SDK v2 (with its default checksums) like object storage does. */
class S3ServerOnRigIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();

  @Test
  void bucketPutMultipartListGetDelete() {
    try (S3Client s3 = RIG.rig().s3().client()) {
      String bucket = RIG.rig().s3().createBucket("smoke-" + System.nanoTime());
      s3.putObject(b -> b.bucket(bucket).key("small.txt"), RequestBody.fromString("hello"));

      byte[] part1 = new byte[5 * 1024 * 1024];
      byte[] part2 = new byte[1024 * 1024 + 7];
      new Random(42).nextBytes(part1);
      new Random(43).nextBytes(part2);
      String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("snapshots/big.db")).uploadId();
      List<CompletedPart> parts = new ArrayList<>();
      parts.add(CompletedPart.builder().partNumber(1).eTag(s3.uploadPart(b -> b.bucket(bucket)
          .key("snapshots/big.db").uploadId(uploadId).partNumber(1), RequestBody.fromBytes(part1)).eTag()).build());
      parts.add(CompletedPart.builder().partNumber(2).eTag(s3.uploadPart(b -> b.bucket(bucket)
          .key("snapshots/big.db").uploadId(uploadId).partNumber(2), RequestBody.fromBytes(part2)).eTag()).build());
      s3.completeMultipartUpload(b -> b.bucket(bucket).key("snapshots/big.db").uploadId(uploadId)
          .multipartUpload(m -> m.parts(parts)));

      assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key)
          .containsExactlyInAnyOrder("small.txt", "snapshots/big.db");
      assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix("snapshots/")).contents()).hasSize(1);
      assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("small.txt")).asUtf8String()).isEqualTo("hello");
      byte[] big = s3.getObjectAsBytes(b -> b.bucket(bucket).key("snapshots/big.db")).asByteArray();
      byte[] expected = new byte[part1.length + part2.length];
      System.arraycopy(part1, 0, expected, 0, part1.length);
      System.arraycopy(part2, 0, expected, part1.length, part2.length);
      assertThat(big).isEqualTo(expected);

      s3.deleteObject(b -> b.bucket(bucket).key("small.txt"));
      assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("small.txt")))
          .isInstanceOf(NoSuchKeyException.class);
    }
  }
}
