package dev.quorum.objectstore;

/** One object: a key in a bucket. The key is checked here, before anything reaches the store. */
public record S3Location(S3Settings settings, String key) {

  public S3Location {
    if (settings == null) {
      throw new IllegalArgumentException("the bucket settings are required");
    }
    ObjectKeys.requireValid(key);
  }

  public String bucket() {
    return settings.bucket();
  }

  /** {@code s3://bucket/key}, for messages. */
  public String uri() {
    return "s3://" + settings.bucket() + "/" + key;
  }
}
