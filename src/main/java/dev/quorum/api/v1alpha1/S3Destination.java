package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Where a backup is stored: a bucket and the object key, or a prefix the key is made from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = "!(has(self.key) && has(self.prefix))", message = S3Destination.KEY_OR_PREFIX_MESSAGE)
public class S3Destination extends S3Bucket {

  public static final String KEY_OR_PREFIX_MESSAGE =
      "set either key (the whole object key) or prefix (the key is then <prefix>/<namespace>/<cluster>/<backup>.db,"
          + " or .db.gz when compressed), not both";

  @JsonPropertyDescription("Object key prefix; the key is <prefix>/<namespace>/<cluster>/<backup>.db (.db.gz when"
      + " compressed).")
  private String prefix;

  @JsonPropertyDescription("The whole object key, instead of one made from prefix.")
  @ValidationRule(value = KEY_RULE, message = KEY_MESSAGE)
  private String key;

  public String getPrefix() {
    return prefix;
  }

  public void setPrefix(String prefix) {
    this.prefix = prefix;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }
}
