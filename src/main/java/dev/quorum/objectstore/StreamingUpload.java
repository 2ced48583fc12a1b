package dev.quorum.objectstore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Streams an input of unknown length (an etcd snapshot, possibly many GiB) to one S3 object, computing its SHA-256
 * and size on the way and storing the SHA-256 in the object's metadata ({@value UserMetadata#SHA256}).
 *
 * <p><b>Memory.</b> One part buffer per upload, allocated once and refilled for every part: {@link PartSizing}'s
 * part size (8 MiB by default; larger only when an expected size needs more than 10,000 parts). Each part is handed
 * to the SDK as a stream over that buffer, not a copy, and the SDK streams it out (its default CRC32 checksum is
 * computed on the way). So an upload holds one part size plus the SDK's fixed overhead, whatever the stream's
 * length (2 GiB went through a 40 MiB heap).
 *
 * <p><b>Integrity on the wire.</b> The SDK's default CRC32 of each part is declared when the multipart upload is
 * created and handed back per part at completion, so the store checks every part it assembles; the SHA-256 covers
 * the whole object for whoever reads it back.
 *
 * <p><b>The checksum in the metadata, and no partial object.</b> S3 fixes an object's metadata when its multipart
 * upload is created, before a byte is read, so the SHA-256 of a stream cannot be given there. Instead:
 * <ol>
 *   <li>A stream shorter than one part is already whole in the buffer: its SHA-256 is known, and one PutObject
 *       writes it to the final key with its metadata. A PutObject is atomic.</li>
 *   <li>A longer stream goes, part by part, to a multipart upload on a staging key next to the final one
 *       ({@code <key>.partial-<uuid>}, see {@link ObjectKeys}); once it is complete and the SHA-256 known, the staged
 *       object is copied server-side onto the final key with {@code REPLACE} metadata including the SHA-256
 *       (CopyObject, atomic; above CopyObject's 5 GiB limit, a multipart copy whose completion is the atomic step),
 *       then the staging object is deleted.</li>
 * </ol>
 * So the final key only ever holds a complete object that carries its checksum. A sidecar {@code <key>.sha256} was
 * the other choice: it saves the server-side copy, but leaves a moment (or, after a crash, forever) where the object
 * exists without its checksum, and makes every reader and the retention fetch and delete two objects. The copy is
 * server-side (no bytes through the operator) and costs the staged size in storage until the staging object is
 * deleted.
 *
 * <p><b>Failures.</b> On any failure (the input throws, S3 errors, the thread is interrupted) the staging multipart
 * upload is aborted and a completed staging object deleted, best effort and logged, then the failure is thrown as an
 * {@link ObjectStoreException} saying whether it is transient. The interrupt flag is set aside while cleaning up
 * (the SDK refuses calls on an interrupted thread) and restored afterwards. What a crash (SIGKILL) leaves, a staging
 * object or an unfinished multipart upload, is removed by {@link ObjectStore#sweepAbandoned}. There is no retry loop
 * here: the SDK's default retries resend a single request; anything more is the caller's to schedule.
 *
 * <p>The input stream is read to its end and not closed: it is the caller's. Every location is written with the
 * client given here: build it from the same {@link S3Settings} ({@link ObjectStore} does).
 */
public final class StreamingUpload {

  private static final Logger LOG = Logger.getLogger(StreamingUpload.class);
  private static final String CONTENT_TYPE = "application/octet-stream";
  /** CopyObject copies at most 5 GiB; a larger staged object is copied part by part (UploadPartCopy). */
  static final long COPY_OBJECT_LIMIT = 5 * 1024 * PartSizing.MIB;
  static final long COPY_PART_SIZE = 512 * PartSizing.MIB;

  private final S3Client s3;
  private final long partSize;
  private final long copyObjectLimit;
  private final long copyPartSize;

  public StreamingUpload(S3Client s3) {
    this(s3, PartSizing.DEFAULT_PART_SIZE);
  }

  /** @param partSizeBytes the part buffer, 5 MiB or more; grown only when an expected size needs it */
  public StreamingUpload(S3Client s3, long partSizeBytes) {
    this(s3, partSizeBytes, COPY_OBJECT_LIMIT, COPY_PART_SIZE);
  }

  /** Tests lower {@code copyObjectLimit} to run the part-by-part copy on small objects. */
  StreamingUpload(S3Client s3, long partSizeBytes, long copyObjectLimit, long copyPartSize) {
    PartSizing.requireValid(partSizeBytes);
    PartSizing.requireValid(copyPartSize);
    this.s3 = s3;
    this.partSize = partSizeBytes;
    this.copyObjectLimit = Math.min(copyObjectLimit, COPY_OBJECT_LIMIT);
    this.copyPartSize = copyPartSize;
  }

  /** {@link #upload(InputStream, S3Location, Map, OptionalLong)} without an expected size. */
  public UploadResult upload(InputStream in, S3Location where, Map<String, String> metadata) {
    return upload(in, where, metadata, OptionalLong.empty());
  }

  /**
   * Streams {@code in} to its end into the object at {@code where}, with {@code metadata} plus the SHA-256.
   *
   * @param metadata lower-case keys, printable ASCII values, checked before anything is sent
   * @param expectedSizeBytes the size the caller expects (e.g. etcd's reported database size): grows the part
   *     size when 10,000 parts of the configured one would not hold it; a longer stream than 10,000 parts fails
   *     with {@link Failure#OBJECT_TOO_LARGE}
   * @throws ObjectStoreException on any failure, after cleaning up; nothing is left under {@code where}
   */
  public UploadResult upload(InputStream in, S3Location where, Map<String, String> metadata,
      OptionalLong expectedSizeBytes) {
    Map<String, String> callerMetadata = UserMetadata.requireValid(metadata);
    byte[] buffer = new byte[Math.toIntExact(PartSizing.partSize(partSize, expectedSizeBytes))];
    Source source = new Source(in, where);
    int filled = source.fill(buffer);
    if (filled < buffer.length) {
      return putWhole(where, buffer, filled, source, callerMetadata);
    }
    return multipart(where, buffer, filled, source, callerMetadata);
  }

  private UploadResult putWhole(S3Location where, byte[] buffer, int length, Source source,
      Map<String, String> callerMetadata) {
    String sha256 = source.sha256Hex();
    try {
      PutObjectResponse put = s3.putObject(b -> b.bucket(where.bucket()).key(where.key()).contentType(CONTENT_TYPE)
          .metadata(UserMetadata.withSha256(callerMetadata, sha256)), body(buffer, length));
      LOG.debugf("uploaded %s: %d bytes in one request, sha256 %s", where.uri(), length, sha256);
      return new UploadResult(where.key(), length, sha256, put.eTag(), Optional.ofNullable(put.versionId()), 1);
    } catch (SdkException e) {
      throw classified(e, where);
    }
  }

  private UploadResult multipart(S3Location where, byte[] buffer, int firstFill, Source source,
      Map<String, String> callerMetadata) {
    String bucket = where.bucket();
    String staging = ObjectKeys.stagingKey(where.key(), UUID.randomUUID());
    String uploadId;
    try {
      // the parts carry the SDK's default CRC32, so it is announced here: AWS S3 is reported to refuse completing
      // an upload whose parts have checksums its creation did not announce
      uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(staging).contentType(CONTENT_TYPE)
          .checksumAlgorithm(ChecksumAlgorithm.CRC32)).uploadId();
    } catch (SdkException e) {
      throw classified(e, where);
    }
    LOG.debugf("uploading %s through %s (upload %s), parts of %d bytes", where.uri(), staging, uploadId,
        buffer.length);
    Stage stage = Stage.UPLOADING;
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int filled = firstFill;
      while (filled > 0) {
        int partNumber = parts.size() + 1;
        if (partNumber > PartSizing.MAX_PARTS) {
          throw tooLarge(where, buffer.length);
        }
        UploadPartResponse part = s3.uploadPart(b -> b.bucket(bucket).key(staging).uploadId(uploadId)
            .partNumber(partNumber).checksumAlgorithm(ChecksumAlgorithm.CRC32), body(buffer, filled));
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(part.eTag())
            .checksumCRC32(part.checksumCRC32()).build());
        if (filled < buffer.length) {
          break;
        }
        requireNotInterrupted(where, source);
        filled = source.fill(buffer);
      }
      stage = Stage.COMPLETING;
      s3.completeMultipartUpload(b -> b.bucket(bucket).key(staging).uploadId(uploadId)
          .multipartUpload(m -> m.parts(parts)));
      stage = Stage.STAGED;
      String sha256 = source.sha256Hex();
      Copied copied = copyToFinal(where, staging, source.bytes, UserMetadata.withSha256(callerMetadata, sha256));
      stage = Stage.DONE;
      // the object is in place: a staging object left behind is only garbage, for the sweep
      withoutInterrupt(() -> deleteStaging(bucket, staging, uploadId));
      LOG.debugf("uploaded %s: %d bytes in %d parts, sha256 %s", where.uri(), source.bytes, parts.size(), sha256);
      return new UploadResult(where.key(), source.bytes, sha256, copied.eTag(), copied.versionId(), parts.size());
    } catch (RuntimeException | Error e) {
      Stage failedAt = stage;
      withoutInterrupt(() -> {
        if (failedAt != Stage.STAGED) {
          // completing may have failed after the store did it; aborting then is a harmless NoSuchUpload
          abortStaging(bucket, staging, uploadId);
        }
        if (failedAt != Stage.UPLOADING) {
          deleteStaging(bucket, staging, uploadId);
        }
      });
      throw classified(e, where);
    }
  }

  /** Where a multipart upload got to, for what a failure leaves to clean up. */
  private enum Stage { UPLOADING, COMPLETING, STAGED, DONE }

  private record Copied(String eTag, Optional<String> versionId) {
  }

  /** The atomic step: the staged object appears under the final key, with its metadata, or not at all. */
  private Copied copyToFinal(S3Location where, String staging, long size, Map<String, String> metadata) {
    String bucket = where.bucket();
    if (size <= copyObjectLimit) {
      CopyObjectResponse copy = s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(staging)
          .destinationBucket(bucket).destinationKey(where.key())
          .metadataDirective(MetadataDirective.REPLACE).metadata(metadata).contentType(CONTENT_TYPE));
      return new Copied(copy.copyObjectResult().eTag(), Optional.ofNullable(copy.versionId()));
    }
    String copyId = s3.createMultipartUpload(b -> b.bucket(bucket).key(where.key()).metadata(metadata)
        .contentType(CONTENT_TYPE)).uploadId();
    try {
      long part = Math.max(copyPartSize, (size + PartSizing.MAX_PARTS - 1) / PartSizing.MAX_PARTS);
      List<CompletedPart> parts = new ArrayList<>();
      for (long first = 0; first < size; first += part) {
        int partNumber = parts.size() + 1;
        String range = "bytes=" + first + "-" + (Math.min(size, first + part) - 1);
        String eTag = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(staging)
            .destinationBucket(bucket).destinationKey(where.key()).uploadId(copyId).partNumber(partNumber)
            .copySourceRange(range)).copyPartResult().eTag();
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(eTag).build());
      }
      CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> b.bucket(bucket).key(where.key())
          .uploadId(copyId).multipartUpload(m -> m.parts(parts)));
      return new Copied(done.eTag(), Optional.ofNullable(done.versionId()));
    } catch (RuntimeException | Error e) {
      withoutInterrupt(() -> abortQuietly(bucket, where.key(), copyId, "copy"));
      throw e;
    }
  }

  private void abortStaging(String bucket, String staging, String uploadId) {
    abortQuietly(bucket, staging, uploadId, "staging");
  }

  private void abortQuietly(String bucket, String key, String uploadId, String what) {
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
      LOG.debugf("aborted the %s upload %s of s3://%s/%s", what, uploadId, bucket, key);
    } catch (RuntimeException e) {
      LOG.warnf("could not abort the %s upload %s of s3://%s/%s, its parts stay until a sweep or a lifecycle rule "
          + "removes them: %s", what, uploadId, bucket, key, e.getMessage());
    }
  }

  private void deleteStaging(String bucket, String staging, String uploadId) {
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(staging));
    } catch (RuntimeException e) {
      LOG.warnf("could not delete the staging object s3://%s/%s (upload %s), it stays until a sweep removes it: %s",
          bucket, staging, uploadId, e.getMessage());
    }
  }

  private static RequestBody body(byte[] buffer, int length) {
    // a fresh stream over the same buffer for every attempt: no copy, and the SDK's retries resend it whole
    return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length, CONTENT_TYPE);
  }

  /** Cleanup must reach the store even when the thread was interrupted; the interrupt is kept for the caller. */
  private static void withoutInterrupt(Runnable cleanup) {
    boolean interrupted = Thread.interrupted();
    try {
      cleanup.run();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void requireNotInterrupted(S3Location where, Source source) {
    if (Thread.currentThread().isInterrupted()) {
      throw new ObjectStoreException(Failure.retryable(Failure.INTERRUPTED, action(where) + " at "
          + where.settings().endpointDescription() + ": interrupted after " + source.bytes + " bytes"), null);
    }
  }

  private static ObjectStoreException tooLarge(S3Location where, long partSize) {
    return new ObjectStoreException(Failure.permanent(Failure.OBJECT_TOO_LARGE, action(where) + " at "
        + where.settings().endpointDescription() + ": the stream is longer than " + PartSizing.MAX_PARTS
        + " parts of " + partSize + " bytes (" + PartSizing.capacity(partSize) + " bytes); give its expected size "
        + "or a larger part size"), null);
  }

  private static RuntimeException classified(Throwable e, S3Location where) {
    if (e instanceof Error error) {
      throw error;
    }
    if (e instanceof ObjectStoreException known) {
      return known;
    }
    if (e instanceof SdkException) {
      return new ObjectStoreException(FailureClassifier.classify(e, action(where), where.settings()), e);
    }
    // a bug, not a store failure: as it is
    return (RuntimeException) e;
  }

  static String action(S3Location where) {
    return "upload of " + where.uri();
  }

  /** The caller's stream: read into the part buffer, digested and counted on the way. */
  private static final class Source {

    private final InputStream in;
    private final S3Location where;
    private final MessageDigest sha256 = sha256();
    private long bytes;

    Source(InputStream in, S3Location where) {
      this.in = in;
      this.where = where;
    }

    /** Fills {@code buffer} from the start; fewer bytes than its length only at the end of the stream. */
    int fill(byte[] buffer) {
      int filled = 0;
      try {
        while (filled < buffer.length) {
          int read = in.read(buffer, filled, buffer.length - filled);
          if (read < 0) {
            break;
          }
          filled += read;
        }
      } catch (IOException | RuntimeException e) {
        boolean interrupted = Thread.currentThread().isInterrupted() || FailureClassifier.isInterruption(e);
        String prefix = action(where) + " at " + where.settings().endpointDescription() + ": ";
        long at = bytes + filled;
        throw new ObjectStoreException(interrupted
            ? Failure.retryable(Failure.INTERRUPTED, prefix + "interrupted while reading the stream after " + at
                + " bytes")
            : Failure.retryable(Failure.SOURCE_FAILED, prefix + "reading the stream failed after " + at + " bytes: "
                + e), e);
      }
      sha256.update(buffer, 0, filled);
      bytes += filled;
      return filled;
    }

    String sha256Hex() {
      return HexFormat.of().formatHex(sha256.digest());
    }

    private static MessageDigest sha256() {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JVM has SHA-256", e);
      }
    }
  }
}
