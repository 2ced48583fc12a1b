package dev.quorum.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.crd.GeneratedCrdFixes;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CRD as the build generates it: admission rules, defaults, columns and subresources. */
class EtcdClusterCrdTest {

  private static CustomResourceDefinitionVersion version;

  @BeforeAll
  static void generate(@TempDir Path dir) throws IOException {
    new CRDGenerator().customResourceClasses(EtcdCluster.class).forCRDVersions("v1")
        .withPostProcessor(new GeneratedCrdFixes()).inOutputDir(dir.toFile()).generate();
    String yaml = Files.readString(dir.resolve("etcdclusters.etcd.quorum.dev-v1.yml"));
    CustomResourceDefinition crd = Serialization.unmarshal(yaml, CustomResourceDefinition.class);
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("ec");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    version = crd.getSpec().getVersions().get(0);
  }

  @Test
  void sizeIsAdmittedByACelRuleThatExplainsQuorum() {
    JSONSchemaProps size = spec().getProperties().get("size");

    assertThat(size.getDefault().asInt()).isEqualTo(3);
    assertThat(size.getXKubernetesValidations()).as("size may change: one member at a time").singleElement()
        .satisfies(rule -> {
          assertThat(rule.getRule()).isEqualTo("self % 2 == 1 && self >= 3 && self <= 9");
          assertThat(rule.getMessage()).contains("quorum = size/2 + 1").contains("even size");
        });
  }

  @Test
  void storageOnlyGrows() {
    JSONSchemaProps storage = spec().getProperties().get("storage");

    assertThat(storage.getXKubernetesValidations()).extracting(ValidationRule::getRule)
        .containsExactlyInAnyOrder(EtcdClusterSpec.STORAGE_FIXED_RULE, EtcdClusterSpec.STORAGE_GROWS_RULE);
    assertThat(storage.getXKubernetesValidations()).extracting(ValidationRule::getMessage)
        .allSatisfy(message -> assertThat(message).contains("restore a backup"));
    assertThat(storage.getProperties().get("size").getDefault().asText()).isEqualTo("1Gi");
    assertThat(storage.getProperties().get("ephemeral").getDefault().asBoolean()).isFalse();
    assertThat(storage.getProperties().get("pvcRetentionPolicy").getDefault().asText()).isEqualTo("Retain");
  }

  @Test
  void versionAndRepositoryHaveDefaults() {
    assertThat(spec().getProperties().get("version").getDefault().asText()).isEqualTo("3.6.16")
        .isEqualTo(EtcdClusterSpec.DEFAULT_VERSION);
    assertThat(spec().getProperties().get("version").getXKubernetesValidations()).singleElement()
        .satisfies(rule -> assertThat(rule.getMessage()).contains("3.5.11"));
    Pattern versions = Pattern.compile(EtcdClusterSpec.VERSION_PATTERN);
    assertThat(List.of("3.5.11", "3.5.35", "3.6.0", "3.6.16", "3.7.3"))
        .allMatch(v -> versions.matcher(v).matches());
    assertThat(List.of("3.5.10", "3.5.0", "3.4.30", "v3.6.16", "3.6", "4.0.0"))
        .noneMatch(v -> versions.matcher(v).matches());
    assertThat(spec().getProperties().get("repository").getDefault().asText()).isEqualTo("quay.io/coreos/etcd")
        .isEqualTo(EtcdClusterSpec.DEFAULT_REPOSITORY);
  }

  @Test
  void etcdTuningRefusesOwnedFlagsAndShortElectionTimeouts() {
    JSONSchemaProps etcd = spec().getProperties().get("etcd");
    JSONSchemaProps extraArgs = etcd.getProperties().get("extraArgs");

    assertThat(etcd.getXKubernetesValidations()).singleElement()
        .satisfies(rule -> assertThat(rule.getMessage()).contains("at least 5 times"));
    assertThat(extraArgs.getXKubernetesValidations()).hasSize(2);
    String ownedRule = extraArgs.getXKubernetesValidations().get(0).getRule();
    String ownedMessage = extraArgs.getXKubernetesValidations().get(0).getMessage();
    for (String flag : EtcdTuning.OWNED_FLAGS) {
      assertThat(ownedRule).contains("!('" + flag + "' in self)");
      assertThat(ownedMessage).contains(flag);
    }
    assertThat(etcd.getProperties().get("autoCompactionMode").getEnum())
        .extracting(n -> n.asText()).containsExactlyInAnyOrder("periodic", "revision");
  }

  @Test
  void printerColumnsComeInReadingOrder() {
    assertThat(version.getAdditionalPrinterColumns()).extracting(CustomResourceColumnDefinition::getName)
        .containsExactly("SIZE", "READY", "VERSION", "LEADER", "AVAILABLE", "AGE");
    assertThat(version.getAdditionalPrinterColumns()).extracting(CustomResourceColumnDefinition::getJsonPath)
        .containsExactly(".spec.size", ".status.readyMembers", ".status.version", ".status.leader",
            ".status.conditions[?(@.type==\"Available\")].status", ".metadata.creationTimestamp");
  }

  @Test
  void hasStatusAndScaleSubresources() {
    assertThat(version.getSubresources().getStatus()).isNotNull();
    assertThat(version.getSubresources().getScale().getSpecReplicasPath()).isEqualTo(".spec.size");
    assertThat(version.getSubresources().getScale().getStatusReplicasPath()).isEqualTo(".status.readyMembers");
    assertThat(version.getSubresources().getScale().getLabelSelectorPath()).isEqualTo(".status.selector");
  }

  private static JSONSchemaProps spec() {
    return version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
  }
}
