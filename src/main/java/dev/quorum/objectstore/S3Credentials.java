package dev.quorum.objectstore;

/** A static access key and its secret; {@link #toString()} never shows the secret, so logging one is safe. */
public record S3Credentials(String accessKeyId, String secretAccessKey) {

  public S3Credentials {
    if (accessKeyId == null || accessKeyId.isBlank()) {
      throw new IllegalArgumentException("an access key id is required");
    }
    if (secretAccessKey == null || secretAccessKey.isEmpty()) {
      throw new IllegalArgumentException("the secret of access key " + accessKeyId + " is empty");
    }
  }

  @Override
  public String toString() {
    return "S3Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=<redacted>]";
  }
}
