package dev.quorum.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class FailureClassifierTest {

  private static final S3Settings SETTINGS = S3Settings.aws("backups", "eu-west-1")
      .withEndpoint(URI.create("http://s3.storage:9000"), true);
  private static final String ACTION = "upload of s3://backups/main/snap.db";

  @ParameterizedTest
  @CsvSource({
      "NoSuchBucket, 404, BucketNotFound",
      "AccessDenied, 403, AccessDenied",
      "InvalidAccessKeyId, 403, AccessDenied",
      "XAdminUserNotFound, 404, AccessDenied",
      "SignatureDoesNotMatch, 403, AccessDenied",
      "ExpiredToken, 400, AccessDenied",
      "InvalidBucketName, 400, InvalidBucketName",
      "AuthorizationHeaderMalformed, 400, WrongRegion",
      "PermanentRedirect, 301, WrongRegion",
      "NoSuchKey, 404, ObjectNotFound",
      "EntityTooLarge, 400, ObjectTooLarge",
      "InvalidArgument, 400, RequestRejected",
      "'', 403, AccessDenied",
  })
  void permanentServiceErrors(String code, int status, String reason) {
    Failure failure = classify(service(code, status));
    assertThat(failure.reason()).isEqualTo(reason);
    assertThat(failure.isTransient()).isFalse();
    assertThat(failure.message()).startsWith(ACTION + " at http://s3.storage:9000: ").contains("HTTP " + status);
  }

  @ParameterizedTest
  @CsvSource({
      "SlowDown, 503, ObjectStoreThrottled",
      "'', 429, ObjectStoreThrottled",
      "InternalError, 500, ObjectStoreUnavailable",
      "ServiceUnavailable, 503, ObjectStoreUnavailable",
      "'', 502, ObjectStoreUnavailable",
      "RequestTimeout, 400, ObjectStoreUnavailable",
      "NoSuchUpload, 404, UploadAborted",
  })
  void transientServiceErrors(String code, int status, String reason) {
    Failure failure = classify(service(code, status));
    assertThat(failure.reason()).isEqualTo(reason);
    assertThat(failure.isTransient()).isTrue();
  }

  @Test
  void aMissingBucketIsNamed() {
    Failure failure = classify(service("NoSuchBucket", 404));
    assertThat(failure.message()).isEqualTo(ACTION + " at http://s3.storage:9000: bucket \"backups\" does not exist "
        + "(NoSuchBucket, HTTP 404)");
  }

  @Test
  void theSdksModelledExceptionsCountEvenWithoutACode() {
    // HeadObject/HeadBucket answers have no body, so no error code
    assertThat(classify(NoSuchBucketException.builder().statusCode(404).build()).reason())
        .isEqualTo(Failure.BUCKET_NOT_FOUND);
    assertThat(classify(NoSuchKeyException.builder().statusCode(404).build()).reason())
        .isEqualTo(Failure.OBJECT_NOT_FOUND);
  }

  @Test
  void wrongCredentialsSayWhichPartIsWrong() {
    assertThat(classify(service("InvalidAccessKeyId", 403)).message()).contains("does not know the access key");
    assertThat(classify(service("XAdminUserNotFound", 404)).message()).contains("does not know the access key");
    assertThat(classify(service("SignatureDoesNotMatch", 403)).message()).contains("secret key does not match");
    assertThat(classify(service("AccessDenied", 403)).message()).contains("access denied to bucket \"backups\"");
  }

  @Test
  void connectionFailuresAndTimeoutsAreTransient() {
    Failure refused = classify(clientError(new ConnectException("Connection refused")));
    assertThat(refused.reason()).isEqualTo(Failure.UNAVAILABLE);
    assertThat(refused.isTransient()).isTrue();
    assertThat(refused.message()).contains("http://s3.storage:9000").contains("cannot connect: Connection refused");

    assertThat(classify(clientError(new SocketException("Connection reset"))).reason()).isEqualTo(Failure.UNAVAILABLE);
    assertThat(classify(clientError(new SocketTimeoutException("Read timed out"))).message()).contains("timed out");
    assertThat(classify(clientError(new UnknownHostException("s3.storage"))).isTransient()).isTrue();
    assertThat(classify(ApiCallTimeoutException.create(1000)).reason()).isEqualTo(Failure.UNAVAILABLE);
    assertThat(classify(clientError(new IOException("Premature end of Content-Length delimited message body")))
        .isTransient()).isTrue();
  }

  @Test
  void tlsFailuresArePermanent() {
    Failure tls = classify(clientError(new SSLHandshakeException("PKIX path building failed")));
    assertThat(tls.reason()).isEqualTo(Failure.TLS_FAILURE);
    assertThat(tls.isTransient()).isFalse();
  }

  @Test
  void missingCredentialsArePermanent() {
    Failure failure = classify(SdkClientException.create("Unable to load credentials from any of the providers in the "
        + "chain AwsCredentialsProviderChain(...)"));
    assertThat(failure.reason()).isEqualTo(Failure.CREDENTIALS_UNAVAILABLE);
    assertThat(failure.isTransient()).isFalse();
  }

  @Test
  void interruptionIsToldApartFromATimeout() {
    assertThat(classify(AbortedException.create("Thread was interrupted")).reason()).isEqualTo(Failure.INTERRUPTED);
    assertThat(classify(clientError(new InterruptedIOException())).reason()).isEqualTo(Failure.INTERRUPTED);
    // SocketTimeoutException is an InterruptedIOException, but no interruption
    assertThat(FailureClassifier.isInterruption(clientError(new SocketTimeoutException()))).isFalse();
  }

  @Test
  void aFailureAlreadyClassifiedKeepsItsReason() {
    Failure source = Failure.retryable(Failure.SOURCE_FAILED, "reading the stream failed");
    assertThat(classify(new ObjectStoreException(source, new IOException("boom")))).isSameAs(source);
  }

  private static Failure classify(Throwable error) {
    return FailureClassifier.classify(error, ACTION, SETTINGS);
  }

  private static S3Exception service(String code, int status) {
    return (S3Exception) S3Exception.builder()
        .statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code.isEmpty() ? null : code).errorMessage("msg")
            .serviceName("S3").build())
        .message("msg")
        .build();
  }

  private static SdkClientException clientError(Throwable cause) {
    return SdkClientException.builder().message("Unable to execute HTTP request: " + cause.getMessage())
        .cause(cause).build();
  }
}
