package dev.quorum.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@ValidationRule(value = EtcdBackupScheduleSpec.NO_KEY_RULE, message = EtcdBackupScheduleSpec.NO_KEY_MESSAGE)
public class EtcdBackupScheduleSpec extends ScheduleSettings {

  // every scheduled backup needs its own object: one fixed key would overwrite it, and retention delete it
  static final String NO_KEY_RULE = "!has(self.backupTemplate) || !has(self.backupTemplate.destination)"
      + " || !has(self.backupTemplate.destination.s3) || !has(self.backupTemplate.destination.s3.key)";
  public static final String NO_KEY_MESSAGE = "backupTemplate.destination.s3.key cannot be set on a schedule: each"
      + " backup needs its own object; use prefix";

  @JsonPropertyDescription("The spec of each EtcdBackup the schedule creates.")
  @Required
  private EtcdBackupTemplate backupTemplate;

  public EtcdBackupTemplate getBackupTemplate() {
    return backupTemplate;
  }

  public void setBackupTemplate(EtcdBackupTemplate backupTemplate) {
    this.backupTemplate = backupTemplate;
  }
}
