package dev.quorum.objectstore;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.security.cert.CertificateException;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;

/**
 * Sorts SDK exceptions into permanent and transient {@link Failure}s, by S3 error code first (the same code means
 * the same thing on every S3-compatible store), then HTTP status, then the I/O error underneath a client-side one.
 * Pure: tests hand it exceptions they build.
 */
final class FailureClassifier {

  // XAdminUserNotFound (HTTP 404) is how versitygw answers an access key it does not know
  private static final Set<String> ACCESS_DENIED = Set.of("AccessDenied", "AllAccessDisabled", "AccountProblem",
      "InvalidAccessKeyId", "XAdminUserNotFound", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken",
      "InvalidSecurity", "NotSignedUp");
  private static final Set<String> WRONG_REGION = Set.of("AuthorizationHeaderMalformed", "PermanentRedirect",
      "IllegalLocationConstraintException", "IncorrectEndpoint");
  private static final Set<String> THROTTLED = Set.of("SlowDown", "Throttling", "ThrottlingException",
      "RequestLimitExceeded", "TooManyRequests", "RequestThrottled");
  private static final Set<String> TRANSIENT = Set.of("RequestTimeout", "RequestTimeTooSkewed", "InternalError",
      "ServiceUnavailable", "OperationAborted", "RequestTimeoutException", "XAmzContentSHA256Mismatch",
      "BadDigest", "IncompleteBody");

  private FailureClassifier() {
  }

  /**
   * @param action what was being done, naming the object: "upload of s3://bucket/key"
   */
  static Failure classify(Throwable error, String action, S3Settings settings) {
    if (error instanceof ObjectStoreException known) {
      return known.failure();
    }
    String prefix = action + " at " + settings.endpointDescription() + ": ";
    if (isInterruption(error)) {
      return Failure.retryable(Failure.INTERRUPTED, prefix + "interrupted");
    }
    if (error instanceof AwsServiceException service) {
      return fromService(service, prefix, settings);
    }
    return fromClientSide(error, prefix);
  }

  private static Failure fromService(AwsServiceException error, String prefix, S3Settings settings) {
    String code = error.awsErrorDetails() == null ? null : error.awsErrorDetails().errorCode();
    int status = error.statusCode();
    String bucket = "bucket \"" + settings.bucket() + "\"";
    String detail = " (" + (code == null ? "" : code + ", ") + "HTTP " + status + ")";
    if ("NoSuchBucket".equals(code) || error instanceof NoSuchBucketException) {
      return Failure.permanent(Failure.BUCKET_NOT_FOUND, prefix + bucket + " does not exist" + detail);
    }
    if ("NoSuchKey".equals(code) || error instanceof NoSuchKeyException) {
      return Failure.permanent(Failure.OBJECT_NOT_FOUND, prefix + "no such object in " + bucket + detail);
    }
    if ("NoSuchUpload".equals(code) || error instanceof NoSuchUploadException) {
      // aborted under us (a lifecycle rule, a sweep): starting over can work
      return Failure.retryable(Failure.UPLOAD_ABORTED, prefix + "the multipart upload no longer exists" + detail);
    }
    if (code != null && ACCESS_DENIED.contains(code)) {
      return Failure.permanent(Failure.ACCESS_DENIED, prefix + accessDenied(code, bucket) + detail);
    }
    if ("InvalidBucketName".equals(code)) {
      return Failure.permanent(Failure.INVALID_BUCKET_NAME, prefix + bucket + " is not a valid bucket name"
          + detail);
    }
    if ((code != null && WRONG_REGION.contains(code)) || status == 301) {
      return Failure.permanent(Failure.WRONG_REGION, prefix + bucket + " is not reachable with region "
          + settings.region() + detail);
    }
    if ("EntityTooLarge".equals(code)) {
      return Failure.permanent(Failure.OBJECT_TOO_LARGE, prefix + "the store refuses an object this large"
          + detail);
    }
    if ((code != null && THROTTLED.contains(code)) || status == 429) {
      return Failure.retryable(Failure.THROTTLED, prefix + "the store asks to slow down" + detail);
    }
    if ((code != null && TRANSIENT.contains(code)) || status >= 500 || status == 408) {
      return Failure.retryable(Failure.UNAVAILABLE, prefix + "the store failed the request" + detail
          + message(error));
    }
    if (status == 403) {
      return Failure.permanent(Failure.ACCESS_DENIED, prefix + "access denied to " + bucket + detail);
    }
    if (status == 404) {
      return Failure.permanent(Failure.OBJECT_NOT_FOUND, prefix + "not found in " + bucket + detail);
    }
    return Failure.permanent(Failure.REQUEST_REJECTED, prefix + "the store rejected the request" + detail
        + message(error));
  }

  private static String accessDenied(String code, String bucket) {
    return switch (code) {
      case "InvalidAccessKeyId", "XAdminUserNotFound" -> "the store does not know the access key";
      case "SignatureDoesNotMatch" -> "the secret key does not match the access key";
      case "ExpiredToken", "InvalidToken" -> "the session token is expired or invalid";
      default -> "access denied to " + bucket;
    };
  }

  private static Failure fromClientSide(Throwable error, String prefix) {
    Throwable cause;
    if ((cause = find(error, SSLHandshakeException.class, SSLPeerUnverifiedException.class,
        CertificateException.class)) != null) {
      return Failure.permanent(Failure.TLS_FAILURE, prefix + "TLS failed: " + cause.getMessage());
    }
    if ((cause = find(error, ConnectException.class)) != null) {
      return Failure.retryable(Failure.UNAVAILABLE, prefix + "cannot connect: " + cause.getMessage());
    }
    if ((cause = find(error, UnknownHostException.class)) != null) {
      // DNS of an in-cluster store can lag its Service: worth retrying, and the message names the host
      return Failure.retryable(Failure.UNAVAILABLE, prefix + "unknown host " + cause.getMessage());
    }
    if ((cause = find(error, SocketTimeoutException.class, ApiCallTimeoutException.class,
        ApiCallAttemptTimeoutException.class, InterruptedIOException.class)) != null) {
      // Apache's ConnectTimeoutException is an InterruptedIOException too; real interruptions were sorted out
      return Failure.retryable(Failure.UNAVAILABLE, prefix + "timed out: " + cause.getMessage());
    }
    if ((cause = find(error, IOException.class)) != null) {
      return Failure.retryable(Failure.UNAVAILABLE, prefix + cause.getClass().getSimpleName() + ": "
          + cause.getMessage());
    }
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    if (error instanceof SdkClientException && message.startsWith("Unable to load credentials")) {
      return Failure.permanent(Failure.CREDENTIALS_UNAVAILABLE, prefix + "no credentials: none given and the "
          + "default credentials chain found none");
    }
    return Failure.permanent(Failure.CLIENT_ERROR, prefix + message);
  }

  /** A thread interrupted mid-call: the SDK's AbortedException, or the JDK's own signs of it. */
  static boolean isInterruption(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AbortedException || t instanceof InterruptedException
          || t instanceof ClosedByInterruptException || t.getClass() == InterruptedIOException.class) {
        return true;
      }
    }
    return false;
  }

  @SafeVarargs
  private static Throwable find(Throwable error, Class<? extends Throwable>... types) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      for (Class<? extends Throwable> type : types) {
        if (type.isInstance(t)) {
          return t;
        }
      }
    }
    return null;
  }

  private static String message(AwsServiceException error) {
    String message = error.awsErrorDetails() == null ? null : error.awsErrorDetails().errorMessage();
    return message == null || message.isBlank() ? "" : ": " + message;
  }
}
