package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.demo.Demo;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.Admission;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generated CRD's rules, enforced by the real API server: bad specs never reach the operator. */
class EtcdClusterAdmissionIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static String ns;

  @BeforeAll
  static void installCrds() {
    ns = RIG.namespace();
    RIG.installQuorumCrds();
  }

  @ParameterizedTest
  @ValueSource(ints = { 0, 1, 2, 4, 11 })
  void sizeMustBeOddAndFromThreeToNine(int size) {
    assertRejected(cluster("size-" + size, Map.of("size", size)), "size must be an odd number from 3 to 9",
        "quorum = size/2 + 1");
  }

  @ParameterizedTest
  @ValueSource(strings = { "3.5.10", "3.4.30", "v3.6.16", "latest" })
  void versionMustBeARelease3511OrNewer(String version) {
    assertRejected(cluster("version-" + version.replaceAll("[^a-z0-9]", "-"), Map.of("version", version)),
        "version must be an etcd release from 3.5.11 on", "/readyz");
  }

  @Test
  void validSizesAreAccepted() {
    for (int size : new int[] { 3, 5, 7, 9 }) {
      GenericKubernetesResource created = clusters().resource(cluster("ok-" + size, Map.of("size", size))).create();
      assertThat(created.getMetadata().getUid()).isNotBlank();
      clusters().withName("ok-" + size).delete();
    }
  }

  @Test
  void extraArgsCannotOverrideFlagsTheOperatorOwns() {
    assertRejected(cluster("owned-flag", Map.of("etcd", Map.of("extraArgs", Map.of("initial-cluster", "x=http://y:2380")))),
        "initial-cluster");
    GenericKubernetesResource allowed = clusters().resource(cluster("free-flag",
        Map.of("etcd", Map.of("extraArgs", Map.of("max-txn-ops", "256"))))).create();
    assertThat(allowed.getMetadata().getUid()).isNotBlank();
    clusters().withName("free-flag").delete();
  }

  @Test
  void sizeMayChangeToAnotherOddSizeButNeverToAnEvenOne() {
    clusters().resource(cluster("scaled-size", Map.of("size", 3))).create();
    try {
      GenericKubernetesResource scaled = clusters().withName("scaled-size").edit(c -> {
        ((Map<String, Object>) c.getAdditionalProperties().get("spec")).put("size", 5);
        return c;
      });
      assertThat(((Map<String, Object>) scaled.getAdditionalProperties().get("spec")).get("size")).isEqualTo(5);
      assertThatThrownBy(() -> clusters().withName("scaled-size").edit(c -> {
        ((Map<String, Object>) c.getAdditionalProperties().get("spec")).put("size", 4);
        return c;
      })).isInstanceOf(KubernetesClientException.class).hasMessageContaining("even size");
    } finally {
      clusters().withName("scaled-size").delete();
    }
  }

  @Test
  void staticPodModeNeedsANodeSelectorAndNeverChanges() {
    assertRejected(cluster("static-no-settings", Map.of("mode", "StaticPod")), "staticPod is required when mode is"
        + " StaticPod");
    assertRejected(cluster("static-settings-only", Map.of("staticPod", Map.of("nodeSelector", Map.of("a", "b")))),
        "staticPod is required when mode is StaticPod");
    assertRejected(cluster("static-empty-selector", Map.of("mode", "StaticPod", "staticPod",
        Map.of("nodeSelector", Map.of()))), "nodeSelector must name at least one label");
    assertRejected(cluster("static-bad-mode", Map.of("mode", "Static")), "mode");
    assertRejected(cluster("static-relative", Map.of("mode", "StaticPod", "staticPod",
        Map.of("nodeSelector", Map.of("a", "b"), "dataDirectory", "var/lib"))), "dataDirectory");

    GenericKubernetesResource created = clusters().resource(cluster("static-ok", Map.of("mode", "StaticPod",
        "staticPod", Map.of("nodeSelector", Map.of("node-role.kubernetes.io/control-plane", ""))))).create();
    try {
      Map<String, Object> staticPod = (Map<String, Object>) ((Map<String, Object>) created.getAdditionalProperties()
          .get("spec")).get("staticPod");
      assertThat(staticPod).containsEntry("manifestDirectory", "/etc/kubernetes/manifests")
          .containsEntry("dataDirectory", "/var/lib/quorum");
      assertThatThrownBy(() -> clusters().withName("static-ok").edit(c -> {
        Map<String, Object> spec = (Map<String, Object>) c.getAdditionalProperties().get("spec");
        spec.put("mode", "StatefulSet");
        spec.remove("staticPod");
        return c;
      })).isInstanceOf(KubernetesClientException.class).hasMessageContaining("mode cannot change after creation");
    } finally {
      clusters().withName("static-ok").delete();
    }
    GenericKubernetesResource plain = clusters().resource(cluster("stateful-default", Map.of())).create();
    try {
      assertThat((Map<String, Object>) plain.getAdditionalProperties().get("spec")).containsEntry("mode",
          "StatefulSet");
    } finally {
      clusters().withName("stateful-default").delete();
    }
  }

  @Test
  void tlsSourcesNeedTheirOwnSettingsOnly() {
    assertRejected(cluster("tls-secret-unnamed", Map.of("tls", Map.of("certificates", "Secret"))),
        "secretName is required when certificates is Secret");
    assertRejected(cluster("tls-operator-named", Map.of("tls", Map.of("secretName", "x"))),
        "secretName is required when certificates is Secret");
    assertRejected(cluster("tls-cm-no-issuer", Map.of("tls", Map.of("certificates", "CertManager"))),
        "issuerRef is required when certificates is CertManager");
    assertRejected(cluster("tls-cm-nameless", Map.of("tls", Map.of("certificates", "CertManager",
        "issuerRef", Map.of("kind", "ClusterIssuer")))), "name");
    assertRejected(cluster("tls-bad-source", Map.of("tls", Map.of("certificates", "Vault"))), "certificates");
    // StaticPod members take TLS from their node agents
    assertThat(clusters().resource(cluster("tls-static", Map.of("tls", Map.of(), "mode", "StaticPod", "staticPod",
        Map.of("nodeSelector", Map.of("a", "b"))))).dryRun().create().getMetadata().getName()).isEqualTo("tls-static");
    GenericKubernetesResource created = clusters().resource(cluster("tls-cm", Map.of("tls", Map.of(
        "certificates", "CertManager", "issuerRef", Map.of("name", "etcd-ca"))))).create();
    assertThat(created.getMetadata().getUid()).isNotBlank();
    clusters().withName("tls-cm").delete();
  }

  @Test
  @SuppressWarnings("unchecked")
  void storageMayOnlyGrowAndNothingElseInItMayChange() {
    clusters().resource(cluster("fixed-storage", Map.of("storage", Map.of("size", "1Gi")))).create();
    try {
      assertThatThrownBy(() -> clusters().withName("fixed-storage").edit(c -> {
        storage(c).put("size", "512Mi");
        return c;
      })).isInstanceOf(KubernetesClientException.class).hasMessageContaining("storage.size may grow but not shrink");
      assertThatThrownBy(() -> clusters().withName("fixed-storage").edit(c -> {
        storage(c).put("storageClassName", "other");
        return c;
      })).isInstanceOf(KubernetesClientException.class).hasMessageContaining("only storage.size may change");
      assertThatThrownBy(() -> clusters().withName("fixed-storage").edit(c -> {
        storage(c).put("ephemeral", true);
        return c;
      })).isInstanceOf(KubernetesClientException.class).hasMessageContaining("only storage.size may change");
      GenericKubernetesResource grown = clusters().withName("fixed-storage").edit(c -> {
        storage(c).put("size", "1536M");
        return c;
      });
      assertThat(storage(grown)).containsEntry("size", "1536M");
    } finally {
      clusters().withName("fixed-storage").delete();
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> storage(GenericKubernetesResource cluster) {
    return (Map<String, Object>) ((Map<String, Object>) cluster.getAdditionalProperties().get("spec")).get("storage");
  }

  @Test
  void aDefragmentationPolicyNeedsATriggerAShapelyScheduleAndASensibleShare() {
    assertRejected(cluster("defrag-none", Map.of("defragmentation", Map.of())), "needs a schedule, a freeSpacePercent");
    assertRejected(cluster("defrag-cron", Map.of("defragmentation", Map.of("schedule", "daily"))),
        "schedule must be five cron fields");
    assertRejected(cluster("defrag-share", Map.of("defragmentation", Map.of("freeSpacePercent", 95))),
        "freeSpacePercent");
  }

  @Test
  void anInlineBackupScheduleIsCheckedLikeAnEtcdBackupSchedule() {
    Map<String, Object> s3 = Map.of("bucket", "backups", "prefix", "prod");
    assertRejected(cluster("backup-no-dest", Map.of("backup", Map.of("schedule", "@hourly"))), "destination");
    assertRejected(cluster("backup-bad-cron", Map.of("backup", Map.of("schedule", "hourly",
        "destination", Map.of("s3", s3)))), "schedule must be five cron fields");
    assertRejected(cluster("backup-key", Map.of("backup", Map.of("schedule", "@hourly",
        "destination", Map.of("s3", Map.of("bucket", "backups", "key", "one.db"))))),
        "backup.destination.s3.key cannot be set on a schedule");
    assertRejected(cluster("backup-bucket", Map.of("backup", Map.of("schedule", "@hourly",
        "destination", Map.of("s3", Map.of("bucket", "Bad_Bucket"))))), "bucket must be a valid S3 bucket name");
    assertRejected(cluster("backup-keep", Map.of("backup", Map.of("schedule", "@hourly",
        "destination", Map.of("s3", s3), "retention", Map.of("keepLast", 0)))), "keepLast");

    GenericKubernetesResource created = clusters().resource(cluster("backup-ok", Map.of("backup",
        Map.of("schedule", "0 */6 * * *", "destination", Map.of("s3", s3), "retention", Map.of("keepLast", 4)))))
        .create();
    Map<String, Object> backup = (Map<String, Object>) ((Map<String, Object>) created.getAdditionalProperties()
        .get("spec")).get("backup");
    assertThat(backup).containsEntry("timeZone", "UTC").containsEntry("concurrencyPolicy", "Forbid");
    clusters().withName("backup-ok").delete();
  }

  private static void assertRejected(GenericKubernetesResource cluster, String... messageParts) {
    Admission.assertRejected(() -> clusters().resource(cluster).create(), messageParts);
  }

  private static GenericKubernetesResource cluster(String name, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder().withApiVersion("etcd.quorum.dev/v1alpha1").withKind("EtcdCluster")
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .addToAdditionalProperties("spec", spec).build();
  }

  private static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource,
      io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
      io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> clusters() {
    return RIG.client().genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns);
  }
}
