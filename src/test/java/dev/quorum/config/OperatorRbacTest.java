package dev.quorum.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quorum.config.OperatorRbac.Rule;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorRbacTest {

  @Group("test.quorum.dev")
  @Version("v1")
  public static class Widget extends CustomResource<Void, Void> implements Namespaced {}

  @ControllerConfiguration
  @RBACRule(apiGroups = "", resources = "pods", verbs = {"list", "get"})
  @RBACRule(apiGroups = "", resources = "pods", verbs = {"delete", "get"})
  @RBACRule(apiGroups = {"", "apps"}, resources = "configmaps", verbs = "watch")
  public static class WidgetReconciler implements Reconciler<Widget> {
    @Override
    public UpdateControl<Widget> reconcile(Widget widget, Context<Widget> context) {
      return UpdateControl.noUpdate();
    }
  }

  @ControllerConfiguration
  @RBACRule(apiGroups = "", resources = "pods", verbs = {"watch", "create"})
  public static class ConfigMapReconciler implements Reconciler<ConfigMap> {
    @Override
    public UpdateControl<ConfigMap> reconcile(ConfigMap configMap, Context<ConfigMap> context) {
      return UpdateControl.noUpdate();
    }
  }

  /** Not registered by the SDK, so it must not count. */
  public abstract static class AbstractReconciler implements Reconciler<Widget> {}

  @RBACRule(apiGroups = "", resources = "secrets", resourceNames = "one", verbs = "get")
  public static class NamedSecretReconciler extends WidgetReconciler {}

  @Test
  void primaryResourceIsReadWatchedAndItsStatusAndFinalizersWritten() {
    assertThat(OperatorRbac.rulesFor(List.of(ConfigMapReconciler.class))).containsExactly(
        new Rule("", "configmaps", "get", "list", "watch"),
        new Rule("", "configmaps/finalizers", "update"),
        new Rule("", "configmaps/status", "get", "update", "patch"),
        new Rule("", "pods", "watch", "create"));
  }

  @Test
  void rulesOnTheSameGroupAndResourceMergeAndAllAreSortedByGroupThenResource() {
    List<Rule> rules = OperatorRbac.rulesFor(List.of(WidgetReconciler.class, ConfigMapReconciler.class));

    assertThat(rules).containsExactly(
        new Rule("", "configmaps", "get", "list", "watch"),
        new Rule("", "configmaps/finalizers", "update"),
        new Rule("", "configmaps/status", "get", "update", "patch"),
        new Rule("", "pods", "get", "list", "watch", "create", "delete"),
        new Rule("apps", "configmaps", "watch"),
        new Rule("test.quorum.dev", "widgets", "get", "list", "watch"),
        new Rule("test.quorum.dev", "widgets/finalizers", "update"),
        new Rule("test.quorum.dev", "widgets/status", "get", "update", "patch"));
    assertThat(OperatorRbac.rulesFor(List.of(ConfigMapReconciler.class, WidgetReconciler.class)))
        .as("the reconcilers' order does not matter").isEqualTo(rules);
  }

  @Test
  void nodesGoApartFromTheRulesARoleCanGrant() {
    List<Rule> rules = List.of(new Rule("", "configmaps", "get"), new Rule("", "nodes", "get", "list"),
        new Rule("", "pods", "get"));
    assertThat(OperatorRbac.namespaced(rules)).extracting(Rule::resource).containsExactly("configmaps", "pods");
    assertThat(OperatorRbac.clusterScoped(rules)).containsExactly(new Rule("", "nodes", "get", "list"));
  }

  @Test
  void verbsAreDistinctInKubernetesOrderWithUnknownVerbsLast() {
    assertThat(new Rule("", "pods", "escalate", "patch", "get", "bind", "get").verbs())
        .containsExactly("get", "patch", "bind", "escalate");
  }

  @Test
  void refusesWhatTheChartCannotGrantExactly() {
    assertThatThrownBy(() -> OperatorRbac.rulesFor(List.of(NamedSecretReconciler.class)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resourceNames");
    assertThatThrownBy(() -> OperatorRbac.rulesFor(List.of(AbstractReconciler.class)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a concrete Reconciler");
    assertThatThrownBy(() -> OperatorRbac.rulesFor(List.of(String.class)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a concrete Reconciler");
  }

  @Test
  void discoveryFindsTheConcreteReconcilersInAClassesDirectory() throws URISyntaxException {
    Path testClasses = Path.of(OperatorRbacTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());

    assertThat(OperatorReconcilers.in(testClasses))
        .contains(WidgetReconciler.class, ConfigMapReconciler.class, NamedSecretReconciler.class)
        .doesNotContain(AbstractReconciler.class);
  }

  @Test
  void discoveryReadsAJarAsWell(@TempDir Path temp) throws Exception {
    Path testClasses = Path.of(OperatorRbacTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path jar = temp.resolve("operator.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (Class<?> type : List.of(WidgetReconciler.class, AbstractReconciler.class, Widget.class)) {
        String entry = type.getName().replace('.', '/') + ".class";
        out.putNextEntry(new JarEntry(entry));
        out.write(Files.readAllBytes(testClasses.resolve(entry)));
        out.closeEntry();
      }
    }

    assertThat(OperatorReconcilers.in(jar)).containsExactly(WidgetReconciler.class);
  }

  @Test
  void theOperatorsReconcilersYieldWhatItNeeds() {
    List<Class<?>> reconcilers = OperatorReconcilers.discover();
    assertThat(reconcilers).extracting(Class::getSimpleName).contains("EtcdClusterReconciler")
        .doesNotContain(WidgetReconciler.class.getSimpleName());

    List<Rule> rules = OperatorRbac.rulesFor(reconcilers);
    // restores create clusters and hold one for an in-place restore; no reconciler deletes a cluster
    assertThat(rules).contains(
        new Rule("etcd.quorum.dev", "etcdclusters", "get", "list", "watch", "create", "patch"),
        new Rule("etcd.quorum.dev", "etcdclusters/finalizers", "update"));
    assertThat(rule(rules, "etcd.quorum.dev", "etcdclusters/status").verbs()).contains("patch");
    assertThat(rule(rules, "", "pods").verbs()).contains("get", "list", "watch", "create", "delete");
    // claims are deleted only as the replaced data of an in-place restore, once the restored cluster is Available; they
    // are patched only to ask for a grown storage.size, where their StorageClass (read, never listed) allows it
    assertThat(rule(rules, "", "persistentvolumeclaims").verbs()).containsExactly("get", "list", "watch", "create",
        "patch", "delete");
    assertThat(rule(rules, "storage.k8s.io", "storageclasses").verbs()).containsExactly("get");
    assertThat(rules).extracting(Rule::resource).as("least privilege").doesNotContain("leases");
    // credentials are read by name only; the TLS Secrets are applied (created, patched), never listed or watched
    assertThat(rule(rules, "", "secrets").verbs()).as("secrets by name only").containsExactly("get", "create", "patch");
  }

  @Test
  void leasesAreGrantedForLeaderElectionOnlyAndMayBePatched() {
    assertThat(OperatorRbac.leaderElectionRules()).singleElement().satisfies(rule -> {
      assertThat(rule.apiGroup()).isEqualTo("coordination.k8s.io");
      assertThat(rule.resource()).isEqualTo("leases");
      assertThat(rule.verbs()).contains("get", "create", "patch");
    });
  }

  @Test
  void chartFilesListOneGroupAndResourcePerRuleAfterTheHeader() {
    assertThat(OperatorRbacFiles.yaml("the test", List.of(new Rule("", "pods", "list", "get"),
        new Rule("apps", "statefulsets", "patch")))).isEqualTo("""
            # Generated from the test (hack/update-generated.sh). Do not edit.
            - apiGroups: [""]
              resources: ["pods"]
              verbs: ["get", "list"]
            - apiGroups: ["apps"]
              resources: ["statefulsets"]
              verbs: ["patch"]
            """);
  }

  private static Rule rule(List<Rule> rules, String group, String resource) {
    return rules.stream().filter(r -> r.apiGroup().equals(group) && r.resource().equals(resource)).findFirst()
        .orElseThrow(() -> new AssertionError("no rule on " + group + "/" + resource + " in " + rules));
  }
}
