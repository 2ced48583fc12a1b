package dev.quorum.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

class S3SettingsTest {

  private final S3Settings compatible = S3Settings.aws("backups", "us-east-1")
      .withEndpoint(URI.create("http://minio.storage:9000"), true)
      .withCredentials(new S3Credentials("AKIDEXAMPLE", "very-secret"));

  @Test
  void theSecretNeverShowsInToString() {
    assertThat(compatible.toString()).contains("AKIDEXAMPLE").doesNotContain("very-secret");
    assertThat(compatible.credentials().orElseThrow().toString()).contains("<redacted>");
  }

  @Test
  void messagesNameTheEndpointOrTheAwsRegion() {
    assertThat(compatible.endpointDescription()).isEqualTo("http://minio.storage:9000");
    assertThat(S3Settings.aws("backups", "eu-west-1").endpointDescription()).isEqualTo("AWS S3 (eu-west-1)");
    assertThat(compatible.at("a/b.db").uri()).isEqualTo("s3://backups/a/b.db");
  }

  @Test
  void aBucketARegionAndAKeyAreRequired() {
    assertThatThrownBy(() -> S3Settings.aws(" ", "us-east-1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> S3Settings.aws("b", "")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> compatible.at("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new S3Credentials("AKID", "")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void clientsAreBuiltWithoutTheNetworkWithStaticCredentialsOrTheDefaultChain() {
    // the SDK connects and resolves credentials lazily: building must work anywhere
    try (S3Client withKey = S3ClientFactory.create(compatible);
        S3Client withChain = S3ClientFactory.create(S3Settings.aws("backups", "eu-west-1"))) {
      assertThat(withKey.serviceClientConfiguration().region().id()).isEqualTo("us-east-1");
      assertThat(withKey.serviceClientConfiguration().endpointOverride())
          .contains(URI.create("http://minio.storage:9000"));
      assertThat(withChain.serviceClientConfiguration().endpointOverride()).isEmpty();
    }
  }
}
