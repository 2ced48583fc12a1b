package dev.quorum.objectstore;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One bucket of an S3-compatible store: streamed uploads (see {@link StreamingUpload}), and what retention and
 * restore need to find, check, read and remove what was uploaded. Knows nothing of Kubernetes or etcd.
 *
 * <p>Every failure is an {@link ObjectStoreException} whose {@link Failure} says whether it is transient. Nothing
 * here retries beyond the SDK's default retries of a single request. Thread-safe: the SDK client is, and each upload
 * has its own buffer. Owns its client: {@link #close()} closes it.
 */
public final class ObjectStore implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ObjectStore.class);

  private final S3Settings settings;
  private final S3Client s3;
  private final StreamingUpload uploads;

  ObjectStore(S3Settings settings, S3Client s3, StreamingUpload uploads) {
    this.settings = settings;
    this.s3 = s3;
    this.uploads = uploads;
  }

  /** A store with the default part size; connects on its first call. */
  public static ObjectStore connect(S3Settings settings) {
    return connect(settings, PartSizing.DEFAULT_PART_SIZE);
  }

  public static ObjectStore connect(S3Settings settings, long partSizeBytes) {
    S3Client s3 = S3ClientFactory.create(settings);
    return new ObjectStore(settings, s3, new StreamingUpload(s3, partSizeBytes));
  }

  public S3Settings settings() {
    return settings;
  }

  /** Streams {@code in} to {@code key}; see {@link StreamingUpload#upload(InputStream, S3Location, Map)}. */
  public UploadResult upload(InputStream in, String key, Map<String, String> metadata) {
    return uploads.upload(in, settings.at(key), metadata);
  }

  /** With the size the caller expects, which may grow the part size: see {@link StreamingUpload}. */
  public UploadResult upload(InputStream in, String key, Map<String, String> metadata,
      OptionalLong expectedSizeBytes) {
    return uploads.upload(in, settings.at(key), metadata, expectedSizeBytes);
  }

  /**
   * Size and metadata of the object at {@code key}; empty when there is none. A missing bucket is a
   * {@link Failure#BUCKET_NOT_FOUND} failure, not an empty answer (HeadObject alone cannot tell them apart).
   */
  public Optional<ObjectInfo> head(String key) {
    S3Location where = settings.at(key);
    try {
      HeadObjectResponse head = s3.headObject(b -> b.bucket(settings.bucket()).key(key));
      return Optional.of(new ObjectInfo(key, head.contentLength(), head.lastModified(), head.eTag(),
          Optional.ofNullable(head.versionId()), Map.copyOf(head.metadata())));
    } catch (NoSuchKeyException e) {
      requireBucket("head of " + where.uri());
      return Optional.empty();
    } catch (SdkException e) {
      throw classified(e, "head of " + where.uri());
    }
  }

  /**
   * The complete objects whose keys start with {@code prefix} ("" for all), in key order; staging objects of
   * uploads in progress or abandoned are left out. Holds the whole listing: meant for the hundreds of backups
   * retention keeps, not millions of objects.
   */
  public List<ObjectSummary> list(String prefix) {
    String action = "listing of s3://" + settings.bucket() + "/" + prefix;
    List<ObjectSummary> objects = new ArrayList<>();
    try {
      for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(prefix)).contents()) {
        if (!ObjectKeys.isStaging(object.key())) {
          objects.add(new ObjectSummary(object.key(), object.size(), object.lastModified(), object.eTag()));
        }
      }
      return objects;
    } catch (SdkException e) {
      throw classified(e, action);
    }
  }

  /** Removes the object at {@code key}; removing what is not there is no failure (as in S3). */
  public void delete(String key) {
    S3Location where = settings.at(key);
    call("delete of " + where.uri(), () -> s3.deleteObject(b -> b.bucket(settings.bucket()).key(key)));
  }

  /**
   * The bytes of the object at {@code key}, streamed: nothing is buffered beyond the HTTP client's small buffers.
   * The caller closes it; closing before the end aborts the connection instead of downloading the rest. A failure
   * while reading is an {@link IOException} (or the SDK's unchecked one), as with any stream.
   */
  public InputStream openForRead(String key) {
    S3Location where = settings.at(key);
    String action = "read of " + where.uri();
    try {
      return new ObjectReadStream(s3.getObject(b -> b.bucket(settings.bucket()).key(key)));
    } catch (NoSuchKeyException e) {
      requireBucket(action);
      throw classified(e, action);
    } catch (SdkException e) {
      throw classified(e, action);
    }
  }

  /**
   * Removes what uploads under {@code prefix} that died without cleaning up (a killed operator) left behind:
   * staging objects, and multipart uploads (whose parts are invisible to listings but stored and billed), when
   * they are older than {@code olderThan}. Give a time well before any upload still running could have started.
   * Failing deletions are logged and skipped: a later sweep gets them.
   *
   * @return how many staging objects and multipart uploads were removed
   */
  public int sweepAbandoned(String prefix, Instant olderThan) {
    String action = "sweep of s3://" + settings.bucket() + "/" + prefix;
    int removed = 0;
    try {
      for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(prefix)).contents()) {
        if (ObjectKeys.isStaging(object.key()) && object.lastModified().isBefore(olderThan)) {
          removed += quietly(action, () -> s3.deleteObject(b -> b.bucket(settings.bucket()).key(object.key())));
        }
      }
      for (MultipartUpload upload : s3.listMultipartUploadsPaginator(b -> b.bucket(settings.bucket())
          .prefix(prefix)).uploads()) {
        if (upload.initiated().isBefore(olderThan)) {
          removed += quietly(action, () -> s3.abortMultipartUpload(b -> b.bucket(settings.bucket())
              .key(upload.key()).uploadId(upload.uploadId())));
        }
      }
      return removed;
    } catch (SdkException e) {
      throw classified(e, action);
    }
  }

  @Override
  public void close() {
    s3.close();
  }

  /** After a 404 on an object: a missing bucket says so, instead of passing for a missing object. */
  private void requireBucket(String action) {
    call(action, () -> s3.headBucket(b -> b.bucket(settings.bucket())));
  }

  private <T> T call(String action, Supplier<T> request) {
    try {
      return request.get();
    } catch (SdkException e) {
      throw classified(e, action);
    }
  }

  private int quietly(String action, Runnable request) {
    try {
      request.run();
      return 1;
    } catch (SdkException e) {
      LOG.warnf("%s: %s", action, classified(e, action).getMessage());
      return 0;
    }
  }

  private ObjectStoreException classified(SdkException e, String action) {
    return new ObjectStoreException(FailureClassifier.classify(e, action, settings), e);
  }

  /** Aborts the connection when closed before the end, rather than reading what nobody wants. */
  private static final class ObjectReadStream extends FilterInputStream {

    private final ResponseInputStream<GetObjectResponse> response;
    private boolean ended;

    ObjectReadStream(ResponseInputStream<GetObjectResponse> response) {
      super(response);
      this.response = response;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      ended |= b < 0;
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int read = super.read(buffer, offset, length);
      ended |= read < 0;
      return read;
    }

    @Override
    public void close() throws IOException {
      if (!ended) {
        response.abort();
      }
      super.close();
    }
  }
}
