package dev.quorum.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quorum.config.OperatorRbac.Rule;
import dev.quorum.config.OperatorRbac;
import dev.quorum.config.OperatorReconcilers;
import dev.quorum.rig.Helm;
import dev.quorum.rig.Rig;
import dev.quorum.rig.RigSession;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The curated chart in helm/quorum: lint, what it renders for the value combinations that matter, its values
 * schema, and, on the rig's real API server, that its RBAC is least privilege and its pod meets the restricted
 * Pod Security Standard. Also that the generated files (crds/, the chart's crds/, deploy/quorum.yaml) are current.
 */
// alone: installs the chart's cluster-wide RBAC, which other classes' releases name too
@Isolated
class HelmChartIT {

  static final Path CHART = Path.of("helm", "quorum").toAbsolutePath();
  static final String GROUP = "etcd.quorum.dev";

  /**
   * Exactly what the operator needs, in the order the chart lists it: computed from the reconcilers' declarations,
   * so the chart fails here whenever it grants anything else.
   */
  static final List<Rule> ALL_RULES = OperatorRbac.rulesFor(OperatorReconcilers.discover());
  /** A ClusterRole's: those on namespaced resources, then those on nodes. */
  static final List<Rule> OPERATOR_RULES = Stream.concat(OperatorRbac.namespaced(ALL_RULES).stream(),
      OperatorRbac.clusterScoped(ALL_RULES).stream()).toList();
  /** A Role's in a watched namespace: no Role can grant what has no namespace. */
  static final List<Rule> NAMESPACED_RULES = OperatorRbac.namespaced(ALL_RULES);
  static final List<Rule> NODE_RULES = OperatorRbac.clusterScoped(ALL_RULES);
  static final List<Rule> LEADER_ELECTION_RULES = OperatorRbac.leaderElectionRules();
  /** Every verb the API server checks on a resource, to prove that undeclared ones are refused. */
  static final List<String> RESOURCE_VERBS = List.of("get", "list", "watch", "create", "update", "patch", "delete",
      "deletecollection");

  static final List<String> OPERATOR_ENV = List.of("QUORUM_IMAGE", "QUORUM_WATCH_NAMESPACES", "QUARKUS_LOG_LEVEL",
      "QUORUM_LEADER_ELECTION_ENABLED", "POD_NAMESPACE");

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static Rig rig;
  static String ns;
  static Helm helm;

  @BeforeAll
  static void onRig() {
    rig = RIG.rig();
    ns = RIG.namespace();
    helm = Helm.of(rig.tools());
  }

  // ---------------------------------------------------------------------------------------------- lint

  @Test
  void lintPassesAlsoStrict() {
    for (List<String> args : List.of(List.of("lint", CHART.toString()),
        List.of("lint", CHART.toString(), "--strict", "--kube-version", rig.tools().kubeVersion()),
        List.of("lint", CHART.toString(), "--strict", "--set", "watchNamespaces={a,b}", "--set", "replicaCount=3"))) {
      Helm.Result lint = helm.run(Helm.DEFAULT_TIMEOUT, args);
      assertThat(lint.exitCode()).as("%s", lint).isZero();
      assertThat(lint.stdout()).as("%s", lint).contains("1 chart(s) linted, 0 chart(s) failed");
    }
  }

  // ---------------------------------------------------------------------------------------------- alerts

  @Test
  void whenAskedThePrometheusRuleCarriesTheAlertsAsPromtoolReadsThem() throws Exception {
    List<HasMetadata> objects = template("quorum", "quorum-system", "--set", "metrics.prometheusRule.enabled=true",
        "--set", "metrics.prometheusRule.labels.release=prometheus");

    HasMetadata rule = objects.stream().filter(o -> "PrometheusRule".equals(o.getKind())).findFirst().orElseThrow();
    assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(rule.getMetadata().getNamespace()).isEqualTo("quorum-system");
    assertThat(rule.getMetadata().getLabels()).containsEntry("release", "prometheus")
        .containsEntry("app.kubernetes.io/instance", "quorum");
    // the file AlertRulesIT checks and tests, unchanged (its {{ $labels.… }} templates are Prometheus', not Helm's)
    com.fasterxml.jackson.databind.ObjectMapper yaml = new com.fasterxml.jackson.databind.ObjectMapper(
        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    assertThat(((io.fabric8.kubernetes.api.model.GenericKubernetesResource) rule).getAdditionalProperties().get("spec"))
        .isEqualTo(yaml.readValue(CHART.resolve("files/alerts.yaml").toFile(), Map.class));
    assertThat(objects).filteredOn(o -> "PrometheusRule".equals(o.getKind())).hasSize(1);
  }

  @Test
  void whenAskedAPodMonitorScrapesTheOperatorAndTheOperatorKeepsOneForEachClustersMembers() {
    List<HasMetadata> objects = template("quorum", "quorum-system", "--set", "metrics.podMonitor.enabled=true",
        "--set", "metrics.podMonitor.interval=15s", "--set", "metrics.memberPodMonitors.enabled=true");

    HasMetadata monitor = objects.stream().filter(o -> "PodMonitor".equals(o.getKind())).findFirst().orElseThrow();
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) ((io.fabric8.kubernetes.api.model.GenericKubernetesResource)
        monitor).getAdditionalProperties().get("spec");
    Deployment deployment = one(objects, Deployment.class);
    assertThat(spec.get("selector")).isEqualTo(Map.of("matchLabels",
        deployment.getSpec().getSelector().getMatchLabels()));
    assertThat(spec.get("podMetricsEndpoints")).isEqualTo(List.of(Map.of("port", "http", "path", "/q/metrics",
        "honorLabels", true, "interval", "15s")));
    assertThat(env(operator(objects))).containsEntry("QUORUM_METRICS_MEMBER_POD_MONITORS", "true");
    // off by default: no monitor, and the operator keeps none
    List<HasMetadata> defaults = template("quorum", "quorum-system");
    assertThat(defaults).noneMatch(o -> "PodMonitor".equals(o.getKind()));
    assertThat(env(operator(defaults))).doesNotContainKey("QUORUM_METRICS_MEMBER_POD_MONITORS");
  }

  @Test
  void whenAskedTheDashboardConfigMapCarriesTheDashboardForGrafanasSidecar() throws Exception {
    List<HasMetadata> objects = template("quorum", "quorum-system", "--set", "metrics.grafanaDashboard.enabled=true",
        "--set", "metrics.grafanaDashboard.namespace=monitoring");

    io.fabric8.kubernetes.api.model.ConfigMap dashboard = one(objects, io.fabric8.kubernetes.api.model.ConfigMap.class);
    assertThat(dashboard.getMetadata().getName()).isEqualTo("quorum-dashboard");
    assertThat(dashboard.getMetadata().getNamespace()).isEqualTo("monitoring");
    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(json.readTree(dashboard.getData().get("quorum-etcd-clusters.json")))
        .isEqualTo(json.readTree(CHART.resolve("files/dashboard.json").toFile()));
  }

  // ---------------------------------------------------------------------------------------------- defaults

  @Test
  void defaultsRenderOneRestrictedOperatorWithClusterWideLeastPrivilegeRbac() {
    List<HasMetadata> objects = template("quorum", "quorum-system");

    assertThat(objects).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactlyInAnyOrder("ServiceAccount/quorum", "ClusterRole/quorum", "ClusterRoleBinding/quorum",
            "Deployment/quorum");

    ServiceAccount sa = one(objects, ServiceAccount.class);
    assertThat(sa.getMetadata().getNamespace()).isEqualTo("quorum-system");
    assertThat(sa.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "quorum")
        .containsEntry("app.kubernetes.io/instance", "quorum")
        .containsEntry("app.kubernetes.io/version", "0.1.0")
        .containsEntry("app.kubernetes.io/managed-by", "Helm");

    Deployment deployment = one(objects, Deployment.class);
    assertThat(deployment.getMetadata().getNamespace()).isEqualTo("quorum-system");
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(deployment.getSpec().getStrategy().getType())
        .as("without leader election two operator pods must never overlap").isEqualTo("Recreate");
    assertThat(deployment.getSpec().getSelector().getMatchLabels())
        .isEqualTo(Map.of("app.kubernetes.io/name", "quorum", "app.kubernetes.io/instance", "quorum"));
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());

    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("quorum");
    assertThat(pod.getAutomountServiceAccountToken()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1001L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getContainers()).hasSize(1);
    assertThat(pod.getInitContainers()).isNullOrEmpty();

    Container operator = pod.getContainers().get(0);
    assertThat(operator.getImage()).isEqualTo("ghcr.io/quorum-dev/quorum-operator:0.1.0");
    // the image the build describes is the chart's, and runs as the user the chart expects
    Properties build = applicationProperties();
    assertThat(operator.getImage()).startsWith(build.getProperty("quarkus.container-image.registry") + "/"
        + build.getProperty("quarkus.container-image.group") + "/" + build.getProperty("quarkus.container-image.name")
        + ":");
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(Long.valueOf(build.getProperty("quarkus.jib.user")));
    assertThat(operator.getImagePullPolicy()).isEqualTo("IfNotPresent");
    var sc = operator.getSecurityContext();
    assertThat(sc.getRunAsNonRoot()).isTrue();
    assertThat(sc.getRunAsUser()).isEqualTo(1001L);
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

    assertThat(operator.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getContainerPort()).isEqualTo(8080);
    });
    assertHttpProbe(operator.getStartupProbe(), "/q/health/started");
    assertHttpProbe(operator.getLivenessProbe(), "/q/health/live");
    assertHttpProbe(operator.getReadinessProbe(), "/q/health/ready");

    // the read-only root filesystem leaves /tmp writable through an emptyDir
    assertThat(operator.getVolumeMounts()).singleElement().satisfies(m -> {
      assertThat(m.getMountPath()).isEqualTo("/tmp");
      assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(m.getName())).singleElement()
          .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    });

    assertThat(operator.getResources().getRequests()).isEqualTo(
        Map.of("cpu", new Quantity("100m"), "memory", new Quantity("256Mi")));
    assertThat(operator.getResources().getLimits()).isEqualTo(Map.of("memory", new Quantity("512Mi")));

    assertThat(operator.getEnv()).extracting(EnvVar::getName).containsExactlyElementsOf(OPERATOR_ENV);
    assertThat(env(operator)).as("restoring members run the operator's own image")
        .containsEntry("QUORUM_IMAGE", operator.getImage());
    assertThat(env(operator)).containsEntry("QUORUM_WATCH_NAMESPACES", "JOSDK_ALL_NAMESPACES")
        .containsEntry("QUARKUS_LOG_LEVEL", "INFO")
        .containsEntry("QUORUM_LEADER_ELECTION_ENABLED", "false");
    assertThat(operator.getEnv()).filteredOn(e -> e.getName().equals("POD_NAMESPACE")).singleElement()
        .satisfies(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace"));

    ClusterRole role = one(objects, ClusterRole.class);
    assertThat(rules(role.getRules())).as("ClusterRole rules (no leases without leader election)")
        .containsExactlyElementsOf(OPERATOR_RULES);
    assertThat(role.getAggregationRule()).isNull();

    ClusterRoleBinding binding = one(objects, ClusterRoleBinding.class);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getRoleRef().getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> assertServiceAccount(s, "quorum", "quorum-system"));
  }

  // ---------------------------------------------------------------------------------------------- watch namespaces

  @Test
  void watchNamespacesRenderARoleInEachAndNoClusterScopedRbac() {
    List<HasMetadata> objects = template("quorum", "quorum-system", "--set", "watchNamespaces={a,b}");

    assertThat(objects).noneMatch(o -> o instanceof ClusterRole || o instanceof ClusterRoleBinding);
    List<Role> roles = all(objects, Role.class);
    assertThat(roles).extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
        .containsExactlyInAnyOrder("a/quorum", "b/quorum");
    roles.forEach(r -> assertThat(rules(r.getRules())).as("rules of %s", r.getMetadata().getNamespace())
        .containsExactlyElementsOf(NAMESPACED_RULES));

    List<RoleBinding> bindings = all(objects, RoleBinding.class);
    assertThat(bindings).extracting(b -> b.getMetadata().getNamespace()).containsExactlyInAnyOrder("a", "b");
    bindings.forEach(b -> {
      assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(b.getRoleRef().getName()).isEqualTo("quorum");
      assertThat(b.getSubjects()).singleElement().satisfies(s -> assertServiceAccount(s, "quorum", "quorum-system"));
    });

    Container operator = operator(objects);
    assertThat(env(operator)).containsEntry("QUORUM_WATCH_NAMESPACES", "a,b")
        .containsEntry("QUORUM_LEADER_ELECTION_ENABLED", "false");
  }

  // ---------------------------------------------------------------------------------------------- leader election

  @Test
  void twoReplicasTurnLeaderElectionOnWithLeasesInTheReleaseNamespaceOnly() {
    List<HasMetadata> objects = template("quorum", "quorum-system", "--set", "replicaCount=2");

    Deployment deployment = one(objects, Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(env(operator(objects))).containsEntry("QUORUM_LEADER_ELECTION_ENABLED", "true");
    assertHttpProbe(operator(objects).getReadinessProbe(), "/q/health/live"); // a standby must count as ready

    Role leases = one(objects, Role.class);
    assertThat(leases.getMetadata().getNamespace()).isEqualTo("quorum-system");
    assertThat(rules(leases.getRules())).containsExactlyElementsOf(LEADER_ELECTION_RULES);
    RoleBinding binding = one(objects, RoleBinding.class);
    assertThat(binding.getMetadata().getNamespace()).isEqualTo("quorum-system");
    assertThat(binding.getRoleRef().getName()).isEqualTo(leases.getMetadata().getName());
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> assertServiceAccount(s, "quorum", "quorum-system"));
    assertThat(rules(one(objects, ClusterRole.class).getRules())).as("leases are never granted cluster-wide")
        .containsExactlyElementsOf(OPERATOR_RULES);
    assertThat(OPERATOR_RULES).extracting(Rule::resource).as("leases are never granted cluster-wide")
        .doesNotContain("leases");

    // the tri-state: forced on with one replica, forced off is refused with two
    assertThat(env(operator(template("quorum", "quorum-system", "--set", "leaderElection.enabled=true"))))
        .containsEntry("QUORUM_LEADER_ELECTION_ENABLED", "true");
    assertThat(env(operator(template("quorum", "quorum-system", "--set", "leaderElection.enabled=false"))))
        .containsEntry("QUORUM_LEADER_ELECTION_ENABLED", "false");
    Helm.Result refused = helm.run("template", "quorum", CHART.toString(), "--kube-version",
        rig.tools().kubeVersion(), "--set", "replicaCount=2", "--set", "leaderElection.enabled=false");
    assertThat(refused.exitCode()).as("%s", refused).isNotZero();
    assertThat(refused.stderr()).contains("replicaCount > 1 requires leader election");
  }

  // ---------------------------------------------------------------------------------------------- schema

  @Test
  void schemaRejectsWrongTypesAndUnknownKeysNamingTheProblem() {
    Helm.Result notAnInteger = templateExpectingFailure("--set", "replicaCount=abc");
    assertThat(notAnInteger.stderr()).contains("replicaCount").contains("integer");

    Helm.Result typo = templateExpectingFailure("--set", "replicaCuont=2");
    assertThat(typo.stderr()).contains("replicaCuont").contains("not allowed");

    Helm.Result nestedTypo = templateExpectingFailure("--set", "image.repostory=x");
    assertThat(nestedTypo.stderr()).contains("repostory").contains("not allowed");

    Helm.Result badNamespace = templateExpectingFailure("--set", "watchNamespaces={Not_A_Namespace}");
    assertThat(badNamespace.stderr()).contains("watchNamespaces").contains("Not_A_Namespace");

    Helm.Result badLevel = templateExpectingFailure("--set", "logLevel=LOUD");
    assertThat(badLevel.stderr()).contains("logLevel");
  }

  // ---------------------------------------------------------------------------------------------- RBAC on the API server

  @Test
  void clusterWideRbacIsLeastPrivilegeOnTheRealApiServer() {
    String release = "rbac-cluster";
    List<HasMetadata> objects = template(release, ns);
    List<HasMetadata> rbac = objects.stream().filter(o -> !(o instanceof Deployment)).toList();
    assertThat(rbac).hasSize(3);
    String user = "system:serviceaccount:" + ns + ":" + release + "-quorum";
    try {
      rbac.forEach(o -> rig.client().resource(o).serverSideApply());

      awaitAllowed(user, firstGrant(OPERATOR_RULES, "some-namespace"));
      assertGrantsExactly(user, OPERATOR_RULES, "some-namespace");
      assertGrantsExactly(user, OPERATOR_RULES, null);

      // never granted without a deliberate change here, whatever the declarations say
      // an EtcdBackup's S3 credentials are read by name; Secrets are never listed or watched
      assertDenied(user, attrs("list", "", "secrets", "", "some-namespace"));
      assertDenied(user, attrs("watch", "", "secrets", "", null));
      assertDenied(user, attrs("create", "", "pods", "exec", "some-namespace"));
      assertDenied(user, attrs("create", "rbac.authorization.k8s.io", "clusterroles", "", null));
      assertDenied(user, attrs("update", "coordination.k8s.io", "leases", "", "kube-system"));
      assertDenied(user, attrs("get", "apiextensions.k8s.io", "customresourcedefinitions", "", null));
    } finally {
      rbac.forEach(o -> rig.client().resource(o).delete());
    }
  }

  @Test
  void namespacedRbacGrantsTheWatchedNamespacesAndTheLeaseOnly() {
    String release = "rbac-ns";
    String w1 = ns + "-w1";
    String w2 = ns + "-w2";
    String other = ns + "-other";
    for (String name : List.of(w1, w2, other)) {
      rig.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata()
          .build()).serverSideApply();
    }
    List<HasMetadata> rbac = template(release, ns, "--set", "watchNamespaces={" + w1 + "," + w2 + "}", "--set",
        "replicaCount=2").stream().filter(o -> !(o instanceof Deployment)).toList();
    assertThat(rbac).noneMatch(o -> o instanceof ClusterRole || o instanceof ClusterRoleBinding);
    String user = "system:serviceaccount:" + ns + ":" + release + "-quorum";

    rbac.forEach(o -> rig.client().resource(o).serverSideApply());

    awaitAllowed(user, firstGrant(NAMESPACED_RULES, w1));
    awaitAllowed(user, firstGrant(NAMESPACED_RULES, w2));
    awaitAllowed(user, firstGrant(LEADER_ELECTION_RULES, ns));
    assertGrantsExactly(user, NAMESPACED_RULES, w1);
    assertGrantsExactly(user, NAMESPACED_RULES, w2);
    assertGrantsExactly(user, LEADER_ELECTION_RULES, ns);

    assertGrantsNothing(user, OPERATOR_RULES, other);
    assertGrantsNothing(user, OPERATOR_RULES, null);
    assertDenied(user, attrs("list", "", "nodes", "", null));
    assertGrantsNothing(user, LEADER_ELECTION_RULES, w1);
    assertGrantsNothing(user, LEADER_ELECTION_RULES, "kube-system");
    assertDenied(user, attrs("list", "", "secrets", "", w1));
  }

  @Test
  void readNodesAddsAClusterRoleThatReadsNodesAndStorageClassesOnlyToANamespacedInstall() {
    String release = "rbac-nodes";
    String watched = ns + "-n1";
    rig.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(watched).endMetadata()
        .build()).serverSideApply();
    List<HasMetadata> rbac = template(release, ns, "--set", "watchNamespaces={" + watched + "}", "--set",
        "readNodes=true").stream().filter(o -> !(o instanceof Deployment)).toList();
    ClusterRole nodes = one(rbac, ClusterRole.class);
    assertThat(nodes.getMetadata().getName()).isEqualTo(release + "-quorum-" + ns + "-nodes");
    assertThat(NODE_RULES).extracting(Rule::resource).containsExactly("nodes", "storageclasses");
    assertThat(rules(nodes.getRules())).containsExactlyElementsOf(NODE_RULES);
    assertThat(one(rbac, ClusterRoleBinding.class).getRoleRef().getName()).isEqualTo(nodes.getMetadata().getName());
    String user = "system:serviceaccount:" + ns + ":" + release + "-quorum";
    try {
      rbac.forEach(o -> rig.client().resource(o).serverSideApply());
      awaitAllowed(user, attrs("list", "", "nodes", "", null));
      assertGrantsExactly(user, NODE_RULES, null);
      assertGrantsExactly(user, NAMESPACED_RULES, watched);
      assertDenied(user, attrs("list", "", "pods", "", null));
    } finally {
      rbac.forEach(o -> rig.client().resource(o).delete());
    }
  }

  // ---------------------------------------------------------------------------------------------- pod security on the API server

  @Test
  void operatorPodIsAdmittedUnderTheRestrictedPodSecurityStandard() {
    String restricted = ns + "-restricted";
    rig.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(restricted)
        .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
        .addToLabels("pod-security.kubernetes.io/enforce-version", "latest").endMetadata().build())
        .serverSideApply();
    List<HasMetadata> objects = template("pss", restricted);
    rig.client().resource(one(objects, ServiceAccount.class)).serverSideApply();

    Deployment deployment = one(objects, Deployment.class);
    // the whole Deployment passes the API server's validation
    rig.client().apps().deployments().inNamespace(restricted).resource(deployment).dryRun().create();

    // PodSecurity admission judges pods: the Deployment's pod, dry-run
    Pod pod = new PodBuilder().withNewMetadata().withName("operator-pod").withNamespace(restricted)
        .withLabels(deployment.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
        .withSpec(deployment.getSpec().getTemplate().getSpec()).build();
    Pod admitted = rig.client().pods().inNamespace(restricted).resource(pod).dryRun().create();
    assertThat(admitted.getSpec().getServiceAccountName()).isEqualTo("pss-quorum");

    // the check can fail: the same pod allowed to escalate privileges is rejected
    Pod escalating = new PodBuilder(pod).editSpec().editFirstContainer().editSecurityContext()
        .withAllowPrivilegeEscalation(true).endSecurityContext().endContainer().endSpec().build();
    assertThatThrownBy(() -> rig.client().pods().inNamespace(restricted).resource(escalating).dryRun().create())
        .isInstanceOf(KubernetesClientException.class).hasMessageContaining("violates PodSecurity");
  }

  // ---------------------------------------------------------------------------------------------- generated files

  @Test
  void generatedFilesAreCurrent() {
    Helm.Result check = Helm.exec(List.of("bash", "hack/update-generated.sh", "--check"), null,
        Map.of("QUORUM_TOOLS", rig.tools().root().toString()), Duration.ofMinutes(2));
    assertThat(check.exitCode()).as("hack/update-generated.sh --check:\n%s", check).isZero();
    assertThat(check.stderr()).contains("generated files are up to date");
  }

  @Test
  void deployManifestIsAcceptedByTheApiServer() throws Exception {
    Path manifest = Path.of("deploy", "quorum.yaml");
    assertThat(manifest).as("deploy/quorum.yaml is missing: run hack/update-generated.sh").isRegularFile();
    List<HasMetadata> objects;
    try (var in = java.nio.file.Files.newInputStream(manifest)) {
      objects = rig.client().load(in).items();
    }
    // the namespace first, then every CRD the build generates (crds/) before anything that could need it
    List<String> first = new java.util.ArrayList<>(List.of("Namespace/quorum-system"));
    try (var crds = java.nio.file.Files.list(Path.of("crds"))) {
      crds.map(f -> f.getFileName().toString()).filter(f -> f.endsWith("." + GROUP + ".yaml")).sorted()
          .map(f -> "CustomResourceDefinition/" + f.substring(0, f.length() - ".yaml".length())).forEach(first::add);
    }
    assertThat(first).as("the CRDs in crds/").hasSizeGreaterThan(4);
    assertThat(objects).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .startsWith(first.toArray(String[]::new)).contains(
            "ServiceAccount/quorum", "ClusterRole/quorum", "ClusterRoleBinding/quorum", "Deployment/quorum");
    assertThat(objects).filteredOn(o -> !(o instanceof io.fabric8.kubernetes.api.model.Namespace)
        && !(o instanceof io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition)
        && !(o instanceof ClusterRole) && !(o instanceof ClusterRoleBinding))
        .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).as("%s", o.getKind()).isEqualTo("quorum-system"));

    // the namespace for real (namespaced objects need it even for a dry run), everything else dry-run
    rig.client().resource(objects.get(0)).serverSideApply();
    for (HasMetadata o : objects.subList(1, objects.size())) {
      rig.client().resource(o).dryRun().serverSideApply();
    }
  }

  // ---------------------------------------------------------------------------------------------- helpers

  /** helm template with the rig's Kubernetes version, parsed. */
  private static List<HasMetadata> template(String release, String namespace, String... extra) {
    List<String> args = new ArrayList<>(List.of("template", release, CHART.toString(), "--namespace", namespace,
        "--kube-version", rig.tools().kubeVersion()));
    args.addAll(List.of(extra));
    Helm.Result result = helm.run(Helm.DEFAULT_TIMEOUT, args);
    assertThat(result.exitCode()).as("%s", result).isZero();
    List<HasMetadata> objects = rig.client()
        .load(new ByteArrayInputStream(result.stdout().getBytes(StandardCharsets.UTF_8))).items();
    assertThat(objects).as("rendered objects").isNotEmpty().doesNotContainNull();
    return objects;
  }

  private static Helm.Result templateExpectingFailure(String... extra) {
    List<String> args = new ArrayList<>(List.of("template", "quorum", CHART.toString(), "--kube-version",
        rig.tools().kubeVersion()));
    args.addAll(List.of(extra));
    Helm.Result result = helm.run(Helm.DEFAULT_TIMEOUT, args);
    assertThat(result.exitCode()).as("expected a failure: %s", result).isNotZero();
    assertThat(result.stdout()).as("nothing rendered").isBlank();
    return result;
  }

  private static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
    List<T> found = all(objects, type);
    assertThat(found).as("exactly one %s", type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  private static Container operator(List<HasMetadata> objects) {
    List<Container> containers = one(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers).hasSize(1);
    return containers.get(0);
  }

  private static Map<String, String> env(Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    container.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
    return env;
  }

  private static Properties applicationProperties() {
    Properties properties = new Properties();
    try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
      properties.load(in);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return properties;
  }

  private static void assertHttpProbe(Probe probe, String path) {
    assertThat(probe).as("probe on %s", path).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
  }

  private static void assertServiceAccount(Subject subject, String name, String namespace) {
    assertThat(subject.getKind()).isEqualTo("ServiceAccount");
    assertThat(subject.getName()).isEqualTo(name);
    assertThat(subject.getNamespace()).isEqualTo(namespace);
  }

  private static List<Rule> rules(List<PolicyRule> rules) {
    return rules.stream().map(r -> {
      assertThat(r.getResourceNames()).as("no resourceNames in %s", r).isNullOrEmpty();
      assertThat(r.getNonResourceURLs()).as("no nonResourceURLs in %s", r).isNullOrEmpty();
      assertThat(r.getApiGroups()).as("one API group per rule: %s", r).hasSize(1);
      assertThat(r.getResources()).as("one resource per rule: %s", r).hasSize(1);
      return new Rule(r.getApiGroups().get(0), r.getResources().get(0), r.getVerbs().toArray(String[]::new));
    }).toList();
  }

  private static ResourceAttributes attrs(String verb, String group, String resource, String subresource,
      String namespace) {
    return new ResourceAttributesBuilder().withVerb(verb).withGroup(group).withResource(resource)
        .withSubresource(subresource).withNamespace(namespace).build();
  }

  /** A verb on a rule's resource, "etcdclusters/status" being resource etcdclusters, subresource status. */
  private static ResourceAttributes attrs(String verb, Rule rule, String namespace) {
    String[] resource = rule.resource().split("/", 2);
    return attrs(verb, rule.apiGroup(), resource[0], resource.length > 1 ? resource[1] : "", namespace);
  }

  private static ResourceAttributes firstGrant(List<Rule> rules, String namespace) {
    return attrs(rules.get(0).verbs().get(0), rules.get(0), namespace);
  }

  /** Each declared verb is granted, and no other verb on the same resources: nothing broader than declared. */
  private static void assertGrantsExactly(String user, List<Rule> declared, String namespace) {
    for (Rule rule : declared) {
      for (String verb : Stream.concat(RESOURCE_VERBS.stream(), rule.verbs().stream()).distinct().toList()) {
        ResourceAttributes attributes = attrs(verb, rule, namespace);
        boolean expected = rule.verbs().contains(verb);
        assertThat(allowed(user, attributes)).as("%s %s %s", user, expected ? "may" : "must not", describe(attributes))
            .isEqualTo(expected);
      }
    }
  }

  private static void assertGrantsNothing(String user, List<Rule> declared, String namespace) {
    declared.forEach(rule -> rule.verbs().forEach(verb -> assertDenied(user, attrs(verb, rule, namespace))));
  }

  /** The API server's own authorizer, asked about the ServiceAccount as its token would present it. */
  private static boolean allowed(String user, ResourceAttributes attributes) {
    String saNamespace = user.split(":")[2];
    SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec().withUser(user)
        .withGroups("system:serviceaccounts", "system:serviceaccounts:" + saNamespace, "system:authenticated")
        .withResourceAttributes(attributes).endSpec().build();
    return rig.client().authorization().v1().subjectAccessReview().create(review).getStatus().getAllowed();
  }

  /** RBAC objects reach the authorizer through its informers: wait for the first grant to show. */
  private static void awaitAllowed(String user, ResourceAttributes attributes) {
    await(user + " may " + describe(attributes)).atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200)).until(() -> allowed(user, attributes));
  }

  private static void assertDenied(String user, ResourceAttributes attributes) {
    assertThat(allowed(user, attributes)).as("%s must not %s", user, describe(attributes)).isFalse();
  }

  private static String describe(ResourceAttributes a) {
    return a.getVerb() + " " + (a.getGroup().isEmpty() ? "core" : a.getGroup()) + "/" + a.getResource()
        + (a.getSubresource().isEmpty() ? "" : "/" + a.getSubresource())
        + (a.getNamespace() == null ? " cluster-wide" : " in " + a.getNamespace());
  }
}
