package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Which successful backups of a schedule to keep; the others lose their object and their EtcdBackup. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class BackupRetention {

  /** A whole number and one unit: s, m, h or d (24 h). */
  public static final String MAX_AGE_PATTERN = WholeDuration.PATTERN;

  @JsonPropertyDescription("Keep at most this many successful backups, the newest.")
  @Min(1)
  private Integer keepLast;

  @JsonPropertyDescription("Delete successful backups scheduled longer ago than this: a whole number and a unit,"
      + " s, m, h or d (24 h), e.g. 30d or 168h. The newest successful backup is always kept.")
  @Pattern(MAX_AGE_PATTERN)
  private String maxAge;

  public Integer getKeepLast() {
    return keepLast;
  }

  public void setKeepLast(Integer keepLast) {
    this.keepLast = keepLast;
  }

  public String getMaxAge() {
    return maxAge;
  }

  public void setMaxAge(String maxAge) {
    this.maxAge = maxAge;
  }
}
