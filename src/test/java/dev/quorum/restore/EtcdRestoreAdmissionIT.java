package dev.quorum.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.rig.RigSession;
import dev.quorum.testing.Admission;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The EtcdRestore CRD's rules, and EtcdCluster's spec.bootstrap, on the real API server: what a rule can say is refused
 * before the operator sees it.
 */
class EtcdRestoreAdmissionIT {

  static final ResourceDefinitionContext RESTORES = context("etcdrestores", "EtcdRestore");
  static final ResourceDefinitionContext CLUSTERS = context("etcdclusters", "EtcdCluster");

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static String ns;

  @BeforeAll
  static void installCrds() {
    ns = RIG.namespace();
    RIG.installQuorumCrds();
  }

  @Test
  void exactlyOneSourceIsNamed() {
    assertRejected(RESTORES, resource("EtcdRestore", "none", restoreSpec(Map.of(), "c")), "name exactly one source");
    assertRejected(RESTORES, resource("EtcdRestore", "both", restoreSpec(Map.of("backup", "b",
        "s3", Map.of("bucket", "backups", "key", "a.db")), "c")), "name exactly one source");
  }

  @Test
  void anS3SourceNeedsABucketAndKeyAndAChecksumIsHex() {
    assertRejected(RESTORES, resource("EtcdRestore", "nokey", restoreSpec(Map.of("s3", Map.of("bucket", "backups")), "c")),
        "key");
    assertRejected(RESTORES, resource("EtcdRestore", "sha", restoreSpec(Map.of("backup", "b", "sha256", "XYZ"), "c")),
        "sha256 must be 64 lower-case hexadecimal digits");
    assertRejected(RESTORES, resource("EtcdRestore", "back", restoreSpec(Map.of("backup", "b", "bumpRevision", -1), "c")),
        "bumpRevision");
  }

  @Test
  void inPlaceNeedsTheClusterNameConfirmedAndNoNewSpec() {
    Map<String, Object> spec = restoreSpec(Map.of("backup", "b"), "prod");
    spec.put("inPlace", Map.of("confirmClusterName", "prd"));
    assertRejected(RESTORES, resource("EtcdRestore", "typo", spec), "inPlace.confirmClusterName must repeat clusterName");

    Map<String, Object> withSpec = restoreSpec(Map.of("backup", "b"), "prod");
    withSpec.put("inPlace", Map.of("confirmClusterName", "prod"));
    withSpec.put("clusterSpec", Map.of("size", 3));
    assertRejected(RESTORES, resource("EtcdRestore", "spec", withSpec), "clusterSpec is for a new cluster");
  }

  @Test
  void theNewClustersSpecIsCheckedLikeAClustersAndLeavesBootstrapToTheRestore() {
    Map<String, Object> even = restoreSpec(Map.of("backup", "b"), "c");
    even.put("clusterSpec", Map.of("size", 4));
    assertRejected(RESTORES, resource("EtcdRestore", "even", even), "size must be an odd number");

    Map<String, Object> bootstrap = restoreSpec(Map.of("backup", "b"), "c");
    bootstrap.put("clusterSpec", Map.of("bootstrap", Map.of("restore", Map.of("backup", "other"))));
    assertRejected(RESTORES, resource("EtcdRestore", "boot", bootstrap), "clusterSpec.bootstrap is set by the restore");
  }

  @Test
  void aRestoreIsImmutableAndAcceptedWithDefaults() {
    Map<String, Object> spec = restoreSpec(Map.of("backup", "nightly"), "restored");
    spec.put("clusterSpec", Map.of());
    GenericKubernetesResource created = RIG.client().genericKubernetesResources(RESTORES).inNamespace(ns)
        .resource(resource("EtcdRestore", "valid", spec)).create();
    try {
      assertThat(spec(created).get("clusterSpec")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
          .containsEntry("size", 3).containsEntry("version", "3.6.16");
      assertThat(spec(created).get("source")).as("Kubernetes-safe by default")
          .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("bumpRevision", 1000000000);
      assertThatThrownBy(() -> RIG.client().genericKubernetesResources(RESTORES).inNamespace(ns).withName("valid")
          .edit(r -> {
            spec(r).put("clusterName", "other");
            return r;
          })).isInstanceOf(KubernetesClientException.class).hasMessageContaining("an EtcdRestore's spec cannot change");
    } finally {
      RIG.client().genericKubernetesResources(RESTORES).inNamespace(ns).withName("valid").delete();
    }
  }

  @Test
  void aClustersBootstrapCannotBeAddedChangedOrRemoved() {
    Map<String, Object> restore = Map.of("restore", Map.of("backup", "nightly"));
    Map<String, Object> spec = new HashMap<>(Map.of("size", 3, "paused", true, "bootstrap", restore));
    RIG.client().genericKubernetesResources(CLUSTERS).inNamespace(ns).resource(resource("EtcdCluster", "boot", spec))
        .create();
    RIG.client().genericKubernetesResources(CLUSTERS).inNamespace(ns)
        .resource(resource("EtcdCluster", "plain", new HashMap<>(Map.of("size", 3, "paused", true)))).create();
    try {
      assertThatThrownBy(() -> RIG.client().genericKubernetesResources(CLUSTERS).inNamespace(ns).withName("boot")
          .edit(c -> {
            spec(c).remove("bootstrap");
            return c;
          })).hasMessageContaining("bootstrap cannot be added, changed or removed after creation");
      assertThatThrownBy(() -> RIG.client().genericKubernetesResources(CLUSTERS).inNamespace(ns).withName("plain")
          .edit(c -> {
            spec(c).put("bootstrap", restore);
            return c;
          })).hasMessageContaining("to restore an existing cluster, create an EtcdRestore");
      assertRejected(CLUSTERS, resource("EtcdCluster", "nosource", Map.of("bootstrap", Map.of("restore", Map.of()))),
          "name exactly one source");
    } finally {
      RIG.client().genericKubernetesResources(CLUSTERS).inNamespace(ns).withName("boot").delete();
      RIG.client().genericKubernetesResources(CLUSTERS).inNamespace(ns).withName("plain").delete();
    }
  }

  private static Map<String, Object> restoreSpec(Map<String, Object> source, String cluster) {
    Map<String, Object> spec = new HashMap<>();
    spec.put("source", source);
    spec.put("clusterName", cluster);
    return spec;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource resource) {
    return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
  }

  private static void assertRejected(ResourceDefinitionContext type, GenericKubernetesResource resource,
      String... messageParts) {
    Admission.assertRejected(() -> RIG.client().genericKubernetesResources(type).inNamespace(ns).resource(resource)
        .create(), messageParts);
  }

  private static GenericKubernetesResource resource(String kind, String name, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder().withApiVersion("etcd.quorum.dev/v1alpha1").withKind(kind)
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .addToAdditionalProperties("spec", spec).build();
  }

  private static ResourceDefinitionContext context(String plural, String kind) {
    return new ResourceDefinitionContext.Builder().withGroup("etcd.quorum.dev").withVersion("v1alpha1")
        .withPlural(plural).withKind(kind).withNamespaced(true).build();
  }
}
