package dev.quorum.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.rig.RigSession;
import dev.quorum.testing.Admission;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClientException;
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

/** The EtcdBackup CRD's rules on the real API server: what a rule can say is refused before the operator sees it. */
class EtcdBackupAdmissionIT {

  static final ResourceDefinitionContext BACKUPS = new ResourceDefinitionContext.Builder()
      .withGroup("etcd.quorum.dev").withVersion("v1alpha1").withPlural("etcdbackups").withKind("EtcdBackup")
      .withNamespaced(true).build();

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static String ns;

  @BeforeAll
  static void installCrds() {
    ns = RIG.namespace();
    RIG.installQuorumCrds();
  }

  @ParameterizedTest
  @ValueSource(strings = { "ab", "Upper", "-leading", "trailing-", "dots..twice", "under_score" })
  void bucketNamesFollowS3Rules(String bucket) {
    assertRejected(backup("bucket-" + Math.abs(bucket.hashCode()), s3(Map.of("bucket", bucket))),
        "bucket must be a valid S3 bucket name");
  }

  @Test
  void keyAndPrefixAreExclusive() {
    assertRejected(backup("both", s3(Map.of("bucket", "backups", "key", "a.db", "prefix", "etcd"))),
        "set either key", "not both");
  }

  @Test
  void endpointIsAUrl() {
    assertRejected(backup("endpoint", s3(Map.of("bucket", "backups", "endpoint", "minio:9000"))),
        "endpoint must be a URL starting with http:// or https://");
  }

  @Test
  void clusterAndDestinationAreRequired() {
    assertRejected(backup("empty", Map.of()), "clusterName", "destination");
  }

  @Test
  void compressionIsNoneOrGzip() {
    Map<String, Object> spec = s3(Map.of("bucket", "backups"));
    spec.put("compression", "zstd");
    assertRejected(backup("zstd", spec), "compression", "\"None\"", "\"Gzip\"");
  }

  @Test
  void aBackupIsImmutable() {
    backups().resource(backup("fixed", s3(Map.of("bucket", "backups")))).create();
    try {
      assertThatThrownBy(() -> backups().withName("fixed").edit(b -> {
        spec(b).put("clusterName", "other");
        return b;
      })).isInstanceOf(KubernetesClientException.class).hasMessageContaining("an EtcdBackup's spec cannot change");
    } finally {
      backups().withName("fixed").delete();
    }
  }

  @Test
  void aValidBackupIsAcceptedWithDefaults() {
    GenericKubernetesResource created = backups().resource(backup("valid", s3(Map.of("bucket", "my.backups-1"))))
        .create();
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> s3 = (Map<String, Object>) ((Map<String, Object>) spec(created).get("destination")).get("s3");
      assertThat(s3).containsEntry("region", "us-east-1").containsEntry("forcePathStyle", false);
      assertThat(spec(created)).containsEntry("compression", "None");
    } finally {
      backups().withName("valid").delete();
    }
  }

  private static Map<String, Object> s3(Map<String, Object> s3) {
    Map<String, Object> spec = new HashMap<>();
    spec.put("clusterName", "demo");
    spec.put("destination", Map.of("s3", s3));
    return spec;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource backup) {
    return (Map<String, Object>) backup.getAdditionalProperties().get("spec");
  }

  private static void assertRejected(GenericKubernetesResource backup, String... messageParts) {
    Admission.assertRejected(() -> backups().resource(backup).create(), messageParts);
  }

  private static GenericKubernetesResource backup(String name, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder().withApiVersion("etcd.quorum.dev/v1alpha1").withKind("EtcdBackup")
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .addToAdditionalProperties("spec", spec).build();
  }

  private static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> backups() {
    return RIG.client().genericKubernetesResources(BACKUPS).inNamespace(ns);
  }
}
