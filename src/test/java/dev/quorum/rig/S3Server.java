package dev.quorum.rig;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** A real S3-compatible server (versitygw, posix backend) as its own process, on the bridge: pods reach it there. */
public final class S3Server implements AutoCloseable {

  public static final String REGION = "us-east-1";

  private final String accessKey = "rig-" + UUID.randomUUID().toString().substring(0, 8);
  private final String secretKey = UUID.randomUUID().toString();
  private final int port = Net.freePort(RigAddresses.HOST_IP);
  private final Tools tools;
  private final Path dir;
  private final Path logs;
  private ManagedProcess process;

  public S3Server(Tools tools, Path dir, Path logs) {
    this.tools = tools;
    this.dir = dir;
    this.logs = logs;
    try {
      Files.createDirectories(dir.resolve("data"));
      Files.createDirectories(dir.resolve("meta"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    start();
  }

  /**
   * Starts the server (again, after {@link #kill()}): same port, keys and data directory, so clients and what
   * was stored see the same store come back.
   */
  public synchronized void start() {
    if (process != null && process.isAlive()) {
      return;
    }
    ManagedProcess started = ManagedProcess.start("s3", List.of(tools.versitygw().toString(),
        "--port", RigAddresses.HOST_IP + ":" + port, "--access", accessKey, "--secret", secretKey, "--region", REGION,
        "--quiet", "posix", "--sidecar", dir.resolve("meta").toString(), dir.resolve("data").toString()),
        null, dir, logs.resolve("s3-versitygw.log"));
    process = started;
    await("S3 server listening").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      if (!started.isAlive()) {
        throw new IllegalStateException("versitygw exited:\n" + started.tail(20));
      }
      return Net.isListening(RigAddresses.HOST_IP, port);
    });
  }

  /** The way an outage looks: SIGKILL, connections cut, nothing flushed or cleaned up. */
  public synchronized void kill() {
    process.kill();
  }

  public synchronized boolean isAlive() {
    return process.isAlive();
  }

  public URI endpoint() {
    return URI.create("http://" + RigAddresses.HOST_IP + ":" + port);
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  /** An SDK client with the SDK's default checksum behaviour, path-style addressing. */
  public S3Client client() {
    return S3Client.builder().endpointOverride(endpoint()).region(Region.of(REGION)).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
        .build();
  }

  public boolean bucketExists(String name) {
    try (S3Client s3 = client()) {
      return s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(name));
    }
  }

  public String createBucket(String name) {
    try (S3Client s3 = client()) {
      s3.createBucket(b -> b.bucket(name));
    }
    return name;
  }

  @Override
  public synchronized void close() {
    process.stop(Duration.ofSeconds(5));
  }
}
