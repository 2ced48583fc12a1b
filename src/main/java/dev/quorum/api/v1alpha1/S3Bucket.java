package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** A bucket and how to reach it: what a backup destination and a restore source share. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class S3Bucket {

  /** S3's bucket naming rules that a pattern can say: 3-63 characters, lower case, digits, dots and hyphens. */
  static final String BUCKET_RULE = "self.matches('^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$') && !self.contains('..')";
  public static final String BUCKET_MESSAGE =
      "bucket must be a valid S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, starting and"
          + " ending with a letter or digit";
  static final String ENDPOINT_RULE = "self.startsWith('http://') || self.startsWith('https://')";
  public static final String ENDPOINT_MESSAGE = "endpoint must be a URL starting with http:// or https://";
  static final String KEY_RULE = "size(self) > 0 && !self.startsWith('/')";
  static final String KEY_MESSAGE = "key must not be empty or start with /";

  @JsonPropertyDescription("Bucket name.")
  @Required
  @ValidationRule(value = BUCKET_RULE, message = BUCKET_MESSAGE)
  private String bucket;

  @JsonPropertyDescription("Region of the bucket.")
  @Default("us-east-1")
  private String region = "us-east-1";

  @JsonPropertyDescription("Endpoint of an S3-compatible store, e.g. https://minio.example.com:9000; AWS when empty.")
  @ValidationRule(value = ENDPOINT_RULE, message = ENDPOINT_MESSAGE)
  private String endpoint;

  @JsonPropertyDescription("Address buckets as <endpoint>/<bucket> instead of <bucket>.<endpoint>; most"
      + " S3-compatible stores need it.")
  @Default("false")
  private boolean forcePathStyle;

  @JsonPropertyDescription("A Secret in this resource's namespace with the access key; the default AWS credentials"
      + " chain (environment, web identity, instance profile) when absent.")
  private S3CredentialsSecret credentialsSecret;

  public String getBucket() {
    return bucket;
  }

  public void setBucket(String bucket) {
    this.bucket = bucket;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public boolean isForcePathStyle() {
    return forcePathStyle;
  }

  public void setForcePathStyle(boolean forcePathStyle) {
    this.forcePathStyle = forcePathStyle;
  }

  public S3CredentialsSecret getCredentialsSecret() {
    return credentialsSecret;
  }

  public void setCredentialsSecret(S3CredentialsSecret credentialsSecret) {
    this.credentialsSecret = credentialsSecret;
  }
}
