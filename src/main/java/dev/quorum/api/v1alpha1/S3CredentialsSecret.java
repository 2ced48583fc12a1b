package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;

/** Which Secret, and which keys in it, hold an S3 access key. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class S3CredentialsSecret {

  @JsonPropertyDescription("Secret name.")
  @Required
  private String name;

  @JsonPropertyDescription("Key of the access key ID in the Secret.")
  @Default("AWS_ACCESS_KEY_ID")
  private String accessKeyIdKey = "AWS_ACCESS_KEY_ID";

  @JsonPropertyDescription("Key of the secret access key in the Secret.")
  @Default("AWS_SECRET_ACCESS_KEY")
  private String secretAccessKeyKey = "AWS_SECRET_ACCESS_KEY";

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getAccessKeyIdKey() {
    return accessKeyIdKey;
  }

  public void setAccessKeyIdKey(String accessKeyIdKey) {
    this.accessKeyIdKey = accessKeyIdKey;
  }

  public String getSecretAccessKeyKey() {
    return secretAccessKeyKey;
  }

  public void setSecretAccessKeyKey(String secretAccessKeyKey) {
    this.secretAccessKeyKey = secretAccessKeyKey;
  }
}
