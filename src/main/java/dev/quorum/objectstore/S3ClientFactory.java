package dev.quorum.objectstore;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Builds the synchronous S3 client the adapter uses. Everything not set here stays at the SDK's defaults:
 * <ul>
 *   <li>checksums: the SDK's default request checksums (CRC32 on uploads, validated on downloads), which AWS S3
 *       and the rig's versitygw accept;</li>
 *   <li>retries: the SDK's standard retry strategy (3 attempts with jittered back-off, only for what the SDK
 *       considers retryable: I/O errors, 5xx, throttling). It resends a single request, so one failed part of a
 *       many-GiB upload costs a part, not the upload. The adapter itself never loops: a failure that outlives
 *       the SDK's attempts reaches the caller, whose reconciler owns the longer back-off;</li>
 *   <li>timeouts: the Apache client's (2 s to connect, 30 s of socket silence), no overall call timeout, since a
 *       part upload lasts as long as the bandwidth needs.</li>
 * </ul>
 * The client does not connect until the first request, so building one needs no network.
 */
public final class S3ClientFactory {

  private S3ClientFactory() {
  }

  public static S3Client create(S3Settings settings) {
    S3ClientBuilder builder = S3Client.builder()
        .region(Region.of(settings.region()))
        .forcePathStyle(settings.forcePathStyle())
        // named, so another synchronous HTTP client on the classpath can never change which one runs
        .httpClientBuilder(ApacheHttpClient.builder());
    settings.endpoint().ifPresent(builder::endpointOverride);
    // without static credentials the SDK falls back to its default chain on its own
    settings.credentials().ifPresent(c -> builder.credentialsProvider(
        StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()))));
    return builder.build();
  }
}
