package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Where snapshots are stored; one kind of store for now, room for others beside it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class BackupDestination {

  @JsonPropertyDescription("An S3 or S3-compatible bucket.")
  @Required
  private S3Destination s3;

  public S3Destination getS3() {
    return s3;
  }

  public void setS3(S3Destination s3) {
    this.s3 = s3;
  }
}
