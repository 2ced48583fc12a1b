package dev.quorum.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.quorum.rig.ManagedProcess;
import dev.quorum.rig.Net;
import dev.quorum.rig.Rig;
import dev.quorum.rig.S3Server;
import dev.quorum.rig.Tools;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Streamed uploads against the rig's real S3 server (versitygw, SDK default checksums): the object appears whole,
 * with its SHA-256 in its metadata, or nothing is left (no object, no staging object, no multipart upload); and
 * failures say whether retrying can help. Only the S3 server is started, not a whole rig; each test gets its own
 * bucket. Logs under target/objectstore-it/logs.
 */
class StreamingUploadIT {

  private static final Logger LOG = Logger.getLogger(StreamingUploadIT.class);
  private static final long MIB = PartSizing.MIB;
  private static final Path DIR = Path.of("target", "objectstore-it").toAbsolutePath();

  private static S3Server server;
  /** The test's own view of the bucket, independent of the adapter. */
  private static S3Client direct;

  private String bucket;

  @BeforeAll
  static void startS3() throws IOException {
    // a fresh store each run: buckets of an earlier run would collide
    Rig.deleteRecursively(DIR.resolve("s3"));
    Rig.deleteRecursively(DIR.resolve("stopped-s3"));
    server = new S3Server(Tools.locate(), DIR.resolve("s3"), DIR.resolve("logs"));
    direct = server.client();
  }

  @AfterAll
  static void stopS3() {
    if (direct != null) {
      direct.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void freshBucket() {
    bucket = server.createBucket("it-" + UUID.randomUUID().toString().substring(0, 13));
  }

  @Test
  void aLargeStreamGoesUpInPartsAndCarriesItsSha256() throws Exception {
    long size = 20 * MIB + 12_345;
    String key = "backups/default/main/large.db";
    try (ObjectStore store = ObjectStore.connect(settings())) {
      UploadResult result = store.upload(new SeededStream(1, size), key, Map.of("cluster", "default/main"));

      String expectedSha = sha256Of(new SeededStream(1, size));
      assertThat(result.partCount()).as("8 + 8 + 4 MiB").isEqualTo(3);
      assertThat(result.sizeBytes()).isEqualTo(size);
      assertThat(result.sha256Hex()).isEqualTo(expectedSha);
      assertThat(result.key()).isEqualTo(key);

      ObjectInfo head = store.head(key).orElseThrow();
      assertThat(head.sizeBytes()).isEqualTo(size);
      assertThat(head.sha256Hex()).contains(expectedSha);
      assertThat(head.metadata()).containsEntry("cluster", "default/main");
      assertThat(head.eTag()).isEqualTo(result.eTag());

      try (InputStream read = store.openForRead(key)) {
        assertSameBytes(read, new SeededStream(1, size));
      }
      assertOnly(key);
      assertThat(store.list("backups/")).extracting(ObjectSummary::key, ObjectSummary::sizeBytes)
          .containsExactly(tuple(key, size));
    }
  }

  @Test
  void aStagedObjectAboveTheCopyLimitIsCopiedPartByPart() throws Exception {
    long size = 20 * MIB;
    String key = "backups/copied-in-parts.db";
    S3Settings settings = settings();
    try (S3Client s3 = S3ClientFactory.create(settings);
        ObjectStore store = new ObjectStore(settings, s3, new StreamingUpload(s3, 8 * MIB, 6 * MIB, 5 * MIB))) {
      UploadResult result = store.upload(new SeededStream(2, size), key, Map.of("kind", "copy"));

      String expectedSha = sha256Of(new SeededStream(2, size));
      assertThat(result.sha256Hex()).isEqualTo(expectedSha);
      ObjectInfo head = store.head(key).orElseThrow();
      assertThat(head.sizeBytes()).isEqualTo(size);
      assertThat(head.sha256Hex()).contains(expectedSha);
      assertThat(head.metadata()).containsEntry("kind", "copy");
      // a multipart ETag counts its parts: copied in 4 parts of 5 MiB, not the 3 parts it was staged in
      assertThat(head.eTag()).endsWith("-4\"");
      try (InputStream read = store.openForRead(key)) {
        assertSameBytes(read, new SeededStream(2, size));
      }
      assertOnly(key);
    }
  }

  @Test
  void aStreamThatFailsMidwayLeavesNothingBehind() {
    String key = "backups/failed.db";
    IOException broken = new IOException("etcd closed the snapshot stream");
    try (ObjectStore store = ObjectStore.connect(settings())) {
      assertThatThrownBy(() -> store.upload(new FailingStream(new SeededStream(3, 64 * MIB), 12 * MIB, broken), key,
          Map.of()))
          .isInstanceOfSatisfying(ObjectStoreException.class, e -> {
            assertThat(e.reason()).isEqualTo(Failure.SOURCE_FAILED);
            assertThat(e.isTransient()).isTrue();
            assertThat(e.getMessage()).contains("s3://" + bucket + "/" + key).contains("after " + 12 * MIB + " bytes");
          })
          .hasCause(broken);

      assertThat(store.head(key)).isEmpty();
      assertNothingLeft();
    }
  }

  @Test
  void anInterruptedUploadIsAbortedAndTheInterruptKept() throws Exception {
    String key = "backups/interrupted.db";
    BlockingStream stream = new BlockingStream(new SeededStream(4, 64 * MIB), 10 * MIB);
    AtomicBoolean interruptKept = new AtomicBoolean();
    try (ObjectStore store = ObjectStore.connect(settings())) {
      Thread[] uploader = new Thread[1];
      CompletableFuture<UploadResult> upload = new CompletableFuture<>();
      uploader[0] = new Thread(() -> {
        try {
          upload.complete(store.upload(stream, key, Map.of()));
        } catch (Throwable e) {
          interruptKept.set(Thread.currentThread().isInterrupted());
          upload.completeExceptionally(e);
        }
      }, "uploader");
      uploader[0].start();
      await("the upload blocks after 10 MiB").atMost(Duration.ofMinutes(1)).until(stream::isBlocked);
      // in progress: a staging upload holds the first part, the final key holds nothing yet
      assertThat(direct.listMultipartUploads(b -> b.bucket(bucket)).uploads())
          .singleElement().satisfies(u -> assertThat(ObjectKeys.finalKeyOf(u.key())).isEqualTo(key));
      assertThat(store.head(key)).isEmpty();
      uploader[0].interrupt();

      assertThatThrownBy(() -> upload.get(1, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOfSatisfying(ObjectStoreException.class, e -> {
            assertThat(e.reason()).isEqualTo(Failure.INTERRUPTED);
            assertThat(e.isTransient()).isTrue();
          });
      assertThat(interruptKept).as("the caller still sees the interrupt").isTrue();
      uploader[0].join(TimeUnit.MINUTES.toMillis(1));
      assertThat(store.head(key)).isEmpty();
      assertNothingLeft();
    }
  }

  @Test
  void aMissingBucketIsPermanentAndNamed() {
    String missing = "missing-" + UUID.randomUUID().toString().substring(0, 8);
    try (ObjectStore store = ObjectStore.connect(settings().withBucket(missing))) {
      for (InputStream in : new InputStream[] {new SeededStream(5, 1024), new SeededStream(5, 20 * MIB)}) {
        assertThatThrownBy(() -> store.upload(in, "backups/a.db", Map.of()))
            .isInstanceOfSatisfying(ObjectStoreException.class, e -> {
              assertThat(e.reason()).isEqualTo(Failure.BUCKET_NOT_FOUND);
              assertThat(e.isTransient()).isFalse();
              assertThat(e.getMessage()).contains("bucket \"" + missing + "\"").contains(server.endpoint().toString());
            });
      }
      // a HEAD answers a bare 404: the store still tells a missing bucket from a missing object
      assertThatThrownBy(() -> store.head("backups/a.db")).isInstanceOfSatisfying(ObjectStoreException.class,
          e -> assertThat(e.reason()).isEqualTo(Failure.BUCKET_NOT_FOUND));
      assertThatThrownBy(() -> store.list("")).isInstanceOfSatisfying(ObjectStoreException.class,
          e -> assertThat(e.reason()).isEqualTo(Failure.BUCKET_NOT_FOUND));
    }
  }

  @Test
  void wrongCredentialsArePermanent() {
    S3Settings wrongSecret = settings().withCredentials(new S3Credentials(server.accessKey(), "not-the-secret"));
    S3Settings unknownKey = settings().withCredentials(new S3Credentials("nobody", server.secretKey()));
    for (S3Settings wrong : new S3Settings[] {wrongSecret, unknownKey}) {
      try (ObjectStore store = ObjectStore.connect(wrong)) {
        assertThatThrownBy(() -> store.upload(new SeededStream(6, 1024), "backups/a.db", Map.of()))
            .isInstanceOfSatisfying(ObjectStoreException.class, e -> {
              LOG.infof("wrong credentials: %s", e.getMessage());
              assertThat(e.reason()).isEqualTo(Failure.ACCESS_DENIED);
              assertThat(e.isTransient()).isFalse();
            });
      }
    }
    assertNothingLeft();
  }

  @Test
  void aStoppedStoreIsTransient() {
    Path dir = DIR.resolve("stopped-s3");
    S3Server stopped = new S3Server(Tools.locate(), dir, DIR.resolve("logs").resolve("stopped-s3"));
    S3Settings settings;
    try {
      settings = new S3Settings(stopped.createBucket("gone"), S3Server.REGION, Optional.of(stopped.endpoint()), true,
          Optional.of(new S3Credentials(stopped.accessKey(), stopped.secretKey())));
    } finally {
      stopped.close();
    }
    int port = stopped.endpoint().getPort();
    await("the stopped store's port is closed").atMost(Duration.ofSeconds(30))
        .until(() -> !Net.isListening("127.0.0.1", port));
    try (ObjectStore store = ObjectStore.connect(settings)) {
      assertThatThrownBy(() -> store.upload(new SeededStream(7, 20 * MIB), "backups/a.db", Map.of()))
          .isInstanceOfSatisfying(ObjectStoreException.class, e -> {
            assertThat(e.reason()).isEqualTo(Failure.UNAVAILABLE);
            assertThat(e.isTransient()).isTrue();
            assertThat(e.getMessage()).contains(stopped.endpoint().toString()).contains("s3://gone/backups/a.db");
          });
    }
  }

  @Test
  void smallAndEmptyStreamsAreOneRequest() throws Exception {
    try (ObjectStore store = ObjectStore.connect(settings())) {
      UploadResult small = store.upload(new SeededStream(8, 1024), "backups/small.db", Map.of());
      UploadResult empty = store.upload(InputStream.nullInputStream(), "backups/empty.db", Map.of());

      assertThat(small.partCount()).isEqualTo(1);
      assertThat(small.sha256Hex()).isEqualTo(sha256Of(new SeededStream(8, 1024)));
      assertThat(store.head("backups/small.db").orElseThrow())
          .satisfies(h -> assertThat(h.sizeBytes()).isEqualTo(1024))
          .satisfies(h -> assertThat(h.sha256Hex()).contains(small.sha256Hex()));
      try (InputStream read = store.openForRead("backups/small.db")) {
        assertSameBytes(read, new SeededStream(8, 1024));
      }

      String emptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
      assertThat(empty.sizeBytes()).isZero();
      assertThat(empty.sha256Hex()).isEqualTo(emptySha);
      assertThat(store.head("backups/empty.db").orElseThrow())
          .satisfies(h -> assertThat(h.sizeBytes()).isZero())
          .satisfies(h -> assertThat(h.sha256Hex()).contains(emptySha));
      try (InputStream read = store.openForRead("backups/empty.db")) {
        assertThat(read.read()).isEqualTo(-1);
      }
      // exactly one part's worth: still one part, not an empty second one
      UploadResult onePart = store.upload(new SeededStream(9, 8 * MIB), "backups/one-part.db", Map.of());
      assertThat(onePart.partCount()).isEqualTo(1);
      assertThat(store.head("backups/one-part.db").orElseThrow().sizeBytes()).isEqualTo(8 * MIB);
      assertOnly("backups/empty.db", "backups/one-part.db", "backups/small.db");
    }
  }

  @Test
  void retentionCanListAndDeleteAndRestoreCanRead() throws Exception {
    try (ObjectStore store = ObjectStore.connect(settings())) {
      store.upload(new SeededStream(10, 1024), "backups/a/1.db", Map.of());
      store.upload(new SeededStream(11, 2048), "backups/a/2.db", Map.of());
      store.upload(new SeededStream(12, 10), "other/x.db", Map.of());

      assertThat(store.list("backups/a/")).extracting(ObjectSummary::key).containsExactly("backups/a/1.db",
          "backups/a/2.db");
      assertThat(store.list("")).hasSize(3);

      store.delete("backups/a/1.db");
      store.delete("backups/a/1.db");
      assertThat(store.head("backups/a/1.db")).isEmpty();
      assertThat(store.list("backups/")).extracting(ObjectSummary::key).containsExactly("backups/a/2.db");
      assertThatThrownBy(() -> store.openForRead("backups/a/1.db")).isInstanceOfSatisfying(
          ObjectStoreException.class, e -> assertThat(e.reason()).isEqualTo(Failure.OBJECT_NOT_FOUND));

      // closing before the end must not hang reading the rest
      try (InputStream read = store.openForRead("backups/a/2.db")) {
        assertThat(read.readNBytes(10)).hasSize(10);
      }
    }
  }

  @Test
  void theSweepRemovesWhatAKilledUploadLeft() {
    try (ObjectStore store = ObjectStore.connect(settings())) {
      store.upload(new SeededStream(13, 1024), "backups/kept.db", Map.of());
      // what an operator killed mid-upload leaves: a staging object, and a multipart upload with a part
      String staged = ObjectKeys.stagingKey("backups/killed-late.db", UUID.randomUUID());
      direct.putObject(b -> b.bucket(bucket).key(staged), RequestBody.fromBytes(new byte[100]));
      String unfinished = ObjectKeys.stagingKey("backups/killed-early.db", UUID.randomUUID());
      String uploadId = direct.createMultipartUpload(b -> b.bucket(bucket).key(unfinished)).uploadId();
      direct.uploadPart(b -> b.bucket(bucket).key(unfinished).uploadId(uploadId).partNumber(1),
          RequestBody.fromBytes(new byte[(int) (5 * MIB)]));

      assertThat(store.list("backups/")).extracting(ObjectSummary::key).containsExactly("backups/kept.db");
      assertThat(store.sweepAbandoned("backups/", Instant.now().minusSeconds(3600))).as("nothing old enough")
          .isZero();
      assertThat(store.sweepAbandoned("backups/", Instant.now().plusSeconds(60))).isEqualTo(2);

      assertOnly("backups/kept.db");
    }
  }

  @Test
  void thePackagedOperatorCanUpload() throws Exception {
    // the test classpath carries more than the operator ships (commons-logging for the HTTP client, once): run an
    // upload on the packaged classpath alone
    Path app = Path.of("target", "quarkus-app").toAbsolutePath();
    assertThat(app.resolve("quarkus-run.jar")).as("packaged by the build before the ITs run").exists();
    String classpath = String.join(File.pathSeparator, app.resolve("app").resolve("*").toString(),
        app.resolve("lib/boot").resolve("*").toString(), app.resolve("lib/main").resolve("*").toString());
    Path probe = Path.of("src/test/resources/objectstore/PackagedUploadProbe.java").toAbsolutePath();
    String key = "backups/packaged.db";
    try (ManagedProcess java = ManagedProcess.start("packaged-upload-probe", List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-cp", classpath, probe.toString(),
            server.endpoint().toString(), bucket, server.accessKey(), server.secretKey(), key),
        null, DIR.resolve("packaged-probe"), DIR.resolve("logs").resolve("packaged-upload-probe.log"))) {
      await("the packaged upload probe exits").atMost(Duration.ofMinutes(2)).until(() -> !java.isAlive());
      assertThat(java.process().exitValue()).as("exit code; log:%n%s", java.tail(30)).isZero();
    }
    try (ObjectStore store = ObjectStore.connect(settings())) {
      assertThat(store.head(key).orElseThrow().metadata()).containsEntry("probe", "packaged")
          .containsEntry(UserMetadata.SHA256, sha256Of(new ByteArrayInputStream(new byte[1024])));
    }
  }

  private S3Settings settings() {
    return new S3Settings(bucket, S3Server.REGION, Optional.of(server.endpoint()), true,
        Optional.of(new S3Credentials(server.accessKey(), server.secretKey())));
  }

  /** The bucket holds exactly these objects (no staging object) and no multipart upload. */
  private void assertOnly(String... keys) {
    assertThat(direct.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key)
        .containsExactlyInAnyOrder(keys);
    assertThat(direct.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
  }

  private void assertNothingLeft() {
    assertOnly();
  }

  private static String sha256Of(InputStream in) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    byte[] chunk = new byte[64 * 1024];
    for (int read; (read = in.read(chunk)) >= 0; ) {
      digest.update(chunk, 0, read);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void assertSameBytes(InputStream actual, InputStream expected) throws IOException {
    long offset = 0;
    while (true) {
      byte[] want = expected.readNBytes(256 * 1024);
      byte[] got = actual.readNBytes(want.length == 0 ? 1 : want.length);
      if (want.length == 0) {
        assertThat(got).as("nothing after byte %d", offset).isEmpty();
        return;
      }
      if (!Arrays.equals(want, got)) {
        throw new AssertionError("bytes differ in the 256 KiB from offset " + offset + " (read " + got.length + ")");
      }
      offset += want.length;
    }
  }

  /** {@code size} bytes from a seeded PRNG, generated as read: the same bytes however they are read, never all held. */
  static final class SeededStream extends InputStream {

    private final Random random;
    private final byte[] block = new byte[64 * 1024];
    private int blockPos = block.length;
    private long remaining;

    SeededStream(long seed, long size) {
      this.random = new Random(seed);
      this.remaining = size;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      if (remaining == 0) {
        return -1;
      }
      if (blockPos == block.length) {
        random.nextBytes(block);
        blockPos = 0;
      }
      int n = (int) Math.min(Math.min(length, block.length - blockPos), remaining);
      System.arraycopy(block, blockPos, buffer, offset, n);
      blockPos += n;
      remaining -= n;
      return n;
    }
  }

  /** Passes {@code failAfter} bytes through, then throws, as a snapshot stream cut by etcd would. */
  static final class FailingStream extends InputStream {

    private final InputStream in;
    private final IOException failure;
    private long left;

    FailingStream(InputStream in, long failAfter, IOException failure) {
      this.in = in;
      this.left = failAfter;
      this.failure = failure;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (left == 0) {
        throw failure;
      }
      int n = in.read(buffer, offset, (int) Math.min(length, left));
      left -= Math.max(n, 0);
      return n;
    }
  }

  /** Passes {@code blockAfter} bytes through, then blocks until interrupted. */
  static final class BlockingStream extends InputStream {

    private final InputStream in;
    private final CountDownLatch never = new CountDownLatch(1);
    private volatile boolean blocked;
    private long left;

    BlockingStream(InputStream in, long blockAfter) {
      this.in = in;
      this.left = blockAfter;
    }

    boolean isBlocked() {
      return blocked;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (left == 0) {
        blocked = true;
        try {
          never.await();
        } catch (InterruptedException e) {
          // as an interruptible read does: the flag stays set, the read fails
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for the snapshot");
        }
      }
      int n = in.read(buffer, offset, (int) Math.min(length, left));
      left -= Math.max(n, 0);
      return n;
    }
  }
}
