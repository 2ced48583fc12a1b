package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = "self == oldSelf", message = EtcdBackupSpec.IMMUTABLE_MESSAGE)
public class EtcdBackupSpec extends EtcdBackupTemplate {

  public static final String IMMUTABLE_MESSAGE =
      "an EtcdBackup's spec cannot change: it describes one snapshot; create another EtcdBackup";
}
