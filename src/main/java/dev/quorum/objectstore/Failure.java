package dev.quorum.objectstore;

/**
 * Why an object-store call failed, for the caller to act on: a transient failure is worth retrying with back-off,
 * a permanent one needs someone to change the settings (or the bucket) first.
 *
 * @param reason short CamelCase, fit for a condition's reason (one of the constants below)
 * @param message what failed, naming the bucket, key and endpoint
 */
public record Failure(String reason, Kind kind, String message) {

  public enum Kind { TRANSIENT, PERMANENT }

  // permanent
  public static final String BUCKET_NOT_FOUND = "BucketNotFound";
  public static final String ACCESS_DENIED = "AccessDenied";
  public static final String INVALID_BUCKET_NAME = "InvalidBucketName";
  public static final String WRONG_REGION = "WrongRegion";
  public static final String OBJECT_NOT_FOUND = "ObjectNotFound";
  public static final String OBJECT_TOO_LARGE = "ObjectTooLarge";
  public static final String CREDENTIALS_UNAVAILABLE = "CredentialsUnavailable";
  public static final String TLS_FAILURE = "TlsFailure";
  public static final String REQUEST_REJECTED = "RequestRejected";
  public static final String CLIENT_ERROR = "ObjectStoreClientError";
  // transient
  public static final String UNAVAILABLE = "ObjectStoreUnavailable";
  public static final String THROTTLED = "ObjectStoreThrottled";
  public static final String UPLOAD_ABORTED = "UploadAborted";
  public static final String SOURCE_FAILED = "SourceFailed";
  public static final String INTERRUPTED = "Interrupted";

  public static Failure permanent(String reason, String message) {
    return new Failure(reason, Kind.PERMANENT, message);
  }

  public static Failure retryable(String reason, String message) {
    return new Failure(reason, Kind.TRANSIENT, message);
  }

  public boolean isTransient() {
    return kind == Kind.TRANSIENT;
  }
}
