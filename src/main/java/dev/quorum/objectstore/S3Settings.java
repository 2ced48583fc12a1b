package dev.quorum.objectstore;

import java.net.URI;
import java.util.Optional;

/**
 * A bucket and how to reach it.
 *
 * @param endpoint an S3-compatible store (MinIO, Ceph, versitygw...); absent means AWS S3 in {@code region}
 * @param forcePathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key}: most
 *     S3-compatible stores need it, since they have no wildcard DNS for bucket names
 * @param credentials a static access key; absent means the AWS SDK's default credentials chain (environment,
 *     system properties, web identity / IRSA, profile files, container and instance metadata)
 */
public record S3Settings(String bucket, String region, Optional<URI> endpoint, boolean forcePathStyle,
    Optional<S3Credentials> credentials) {

  public S3Settings {
    if (bucket == null || bucket.isBlank()) {
      throw new IllegalArgumentException("a bucket name is required");
    }
    if (region == null || region.isBlank()) {
      throw new IllegalArgumentException("a region is required (S3-compatible stores usually accept us-east-1)");
    }
    endpoint = endpoint == null ? Optional.empty() : endpoint;
    credentials = credentials == null ? Optional.empty() : credentials;
  }

  /** A bucket on AWS S3, reached with the default credentials chain. */
  public static S3Settings aws(String bucket, String region) {
    return new S3Settings(bucket, region, Optional.empty(), false, Optional.empty());
  }

  public S3Settings withEndpoint(URI endpoint, boolean forcePathStyle) {
    return new S3Settings(bucket, region, Optional.of(endpoint), forcePathStyle, credentials);
  }

  public S3Settings withCredentials(S3Credentials credentials) {
    return new S3Settings(bucket, region, endpoint, forcePathStyle, Optional.of(credentials));
  }

  public S3Settings withBucket(String bucket) {
    return new S3Settings(bucket, region, endpoint, forcePathStyle, credentials);
  }

  public S3Location at(String key) {
    return new S3Location(this, key);
  }

  /** For messages: the endpoint URL, or which AWS region. */
  public String endpointDescription() {
    return endpoint.map(URI::toString).orElse("AWS S3 (" + region + ")");
  }
}
