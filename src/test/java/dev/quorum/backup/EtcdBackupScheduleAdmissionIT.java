package dev.quorum.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.rig.RigSession;
import dev.quorum.testing.Admission;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The EtcdBackupSchedule CRD's rules on the real API server. */
class EtcdBackupScheduleAdmissionIT {

  static final ResourceDefinitionContext SCHEDULES = new ResourceDefinitionContext.Builder()
      .withGroup("etcd.quorum.dev").withVersion("v1alpha1").withPlural("etcdbackupschedules")
      .withKind("EtcdBackupSchedule").withNamespaced(true).build();

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static String ns;

  @BeforeAll
  static void installCrds() {
    ns = RIG.namespace();
    RIG.installQuorumCrds();
  }

  @ParameterizedTest
  @ValueSource(strings = { "* * * *", "* * * * * *", "@every 5m", "@often", " * * * * *" })
  void aScheduleHasFiveFieldsOrIsAMacro(String cron) {
    assertRejected(schedule("cron-" + Math.abs(cron.hashCode()), spec(cron, Map.of("bucket", "backups"), null)),
        "schedule must be five cron fields");
  }

  @Test
  void aFixedKeyIsRefused() {
    assertRejected(schedule("key", spec("@daily", Map.of("bucket", "backups", "key", "a.db"), null)),
        "key cannot be set on a schedule");
  }

  @ParameterizedTest
  @ValueSource(strings = { "1h30m", "0d", "7", "2w", "-1h" })
  void maxAgeIsANumberAndOneUnit(String maxAge) {
    assertRejected(schedule("age-" + Math.abs(maxAge.hashCode()),
        spec("@daily", Map.of("bucket", "backups"), Map.of("maxAge", maxAge))), "maxAge");
  }

  @Test
  void keepLastIsAtLeastOne() {
    assertRejected(schedule("keep", spec("@daily", Map.of("bucket", "backups"), Map.of("keepLast", 0))),
        "keepLast");
  }

  @Test
  void aValidScheduleIsAcceptedWithDefaults() {
    GenericKubernetesResource created = schedules().resource(schedule("valid",
        spec("30 2 * * 1-5", Map.of("bucket", "backups", "prefix", "etcd"), Map.of("keepLast", 7, "maxAge", "30d"))))
        .create();
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> spec = (Map<String, Object>) created.getAdditionalProperties().get("spec");
      assertThat(spec).containsEntry("timeZone", "UTC").containsEntry("suspend", false)
          .containsEntry("concurrencyPolicy", "Forbid").containsEntry("successfulBackupsHistoryLimit", 3)
          .containsEntry("failedBackupsHistoryLimit", 1);
      // the template may change, unlike an EtcdBackup's spec
      schedules().withName("valid").edit(s -> {
        @SuppressWarnings("unchecked")
        Map<String, Object> template = (Map<String, Object>) ((Map<String, Object>) s.getAdditionalProperties()
            .get("spec")).get("backupTemplate");
        template.put("clusterName", "other");
        return s;
      });
    } finally {
      schedules().withName("valid").delete();
    }
  }

  private static Map<String, Object> spec(String cron, Map<String, Object> s3, Map<String, Object> retention) {
    Map<String, Object> spec = new HashMap<>();
    spec.put("schedule", cron);
    spec.put("backupTemplate", Map.of("clusterName", "demo", "destination", Map.of("s3", s3)));
    if (retention != null) {
      spec.put("retention", retention);
    }
    return spec;
  }

  private static void assertRejected(GenericKubernetesResource schedule, String... messageParts) {
    Admission.assertRejected(() -> schedules().resource(schedule).create(), messageParts);
  }

  private static GenericKubernetesResource schedule(String name, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder().withApiVersion("etcd.quorum.dev/v1alpha1")
        .withKind("EtcdBackupSchedule").withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .addToAdditionalProperties("spec", spec).build();
  }

  private static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> schedules() {
    return RIG.client().genericKubernetesResources(SCHEDULES).inNamespace(ns);
  }
}
