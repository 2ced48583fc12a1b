package dev.quorum.config;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.Utils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The RBAC rules the operator needs, computed from its reconcilers' declarations: the only source of the chart's
 * rules (hack/update-generated.sh writes them into helm/quorum/files) and of the tests that check the chart.
 */
public final class OperatorRbac {

  /** Kubernetes' usual verb order; verbs outside it follow alphabetically. */
  private static final List<String> VERB_ORDER = List.of("get", "list", "watch", "create", "update", "patch",
      "delete", "deletecollection");
  private static final Comparator<String> VERB_COMPARATOR = Comparator
      .<String>comparingInt(verb -> VERB_ORDER.contains(verb) ? VERB_ORDER.indexOf(verb) : VERB_ORDER.size())
      .thenComparing(Comparator.naturalOrder());

  private OperatorRbac() {}

  /**
   * For each reconciler: its primary resource (read and watched, its status written, its finalizers updated
   * because children's owner references set blockOwnerDeletion) and its {@link RBACRule}s. Rules on the same
   * API group and resource are merged into one; the result is sorted by API group, then resource. Any concrete
   * Reconciler counts, with or without @ControllerConfiguration, since the SDK registers them all.
   */
  public static List<Rule> rulesFor(Collection<Class<?>> reconcilers) {
    List<Rule> declared = new ArrayList<>();
    for (Class<?> reconciler : reconcilers) {
      declared.addAll(primaryResourceRules(reconciler));
      for (RBACRule rule : reconciler.getAnnotationsByType(RBACRule.class)) {
        declared.addAll(expand(reconciler, rule));
      }
    }
    return merge(declared);
  }

  /**
   * Resources without a namespace among those the operator uses: a Role cannot grant them, so a namespace-scoped
   * install grants them only by a ClusterRole of their own, when asked to (StaticPod mode places members on nodes; a
   * grown storage.size asks whether the claims' StorageClass can expand).
   */
  static final Set<String> CLUSTER_SCOPED = Set.of("nodes", "storageclasses");

  /** The rules a Role in a watched namespace grants: those on namespaced resources. */
  public static List<Rule> namespaced(List<Rule> rules) {
    return rules.stream().filter(r -> !CLUSTER_SCOPED.contains(r.resource())).toList();
  }

  /** The rules on resources without a namespace (nodes, StorageClasses). */
  public static List<Rule> clusterScoped(List<Rule> rules) {
    return rules.stream().filter(r -> CLUSTER_SCOPED.contains(r.resource())).toList();
  }

  /** Leader election's rules, granted in the operator's own namespace only. */
  public static List<Rule> leaderElectionRules() {
    return List.of(LeaderElectionCustomizer.LEASE_RULE);
  }

  /** One rule per API group and resource, the verbs united, sorted by API group then resource. */
  static List<Rule> merge(Collection<Rule> rules) {
    Map<String, Map<String, Set<String>>> verbsByGroupAndResource = new TreeMap<>();
    for (Rule rule : rules) {
      verbsByGroupAndResource.computeIfAbsent(rule.apiGroup(), g -> new TreeMap<>())
          .computeIfAbsent(rule.resource(), r -> new LinkedHashSet<>()).addAll(rule.verbs());
    }
    List<Rule> merged = new ArrayList<>();
    verbsByGroupAndResource.forEach((group, byResource) -> byResource.forEach(
        (resource, verbs) -> merged.add(new Rule(group, resource, List.copyOf(verbs)))));
    return merged;
  }

  private static List<Rule> primaryResourceRules(Class<?> reconciler) {
    if (!Reconciler.class.isAssignableFrom(reconciler) || reconciler.isInterface()
        || Modifier.isAbstract(reconciler.getModifiers())) {
      throw new IllegalArgumentException(reconciler.getName() + " is not a concrete Reconciler");
    }
    @SuppressWarnings("unchecked")
    Class<? extends HasMetadata> primary = (Class<? extends HasMetadata>) Utils
        .getFirstTypeArgumentFromSuperClassOrInterface(reconciler, Reconciler.class);
    String group = Objects.requireNonNullElse(HasMetadata.getGroup(primary), "");
    String plural = HasMetadata.getPlural(primary);
    return List.of(
        new Rule(group, plural, List.of("get", "list", "watch")),
        new Rule(group, plural + "/status", List.of("get", "patch", "update")),
        new Rule(group, plural + "/finalizers", List.of("update")));
  }

  /** An annotation may name several groups and resources: one rule for each pair. */
  private static List<Rule> expand(Class<?> reconciler, RBACRule rule) {
    // merging by group and resource would widen rules limited to names, so they are refused
    if (rule.resourceNames().length > 0 || rule.nonResourceURLs().length > 0) {
      throw new IllegalArgumentException(reconciler.getName()
          + ": @RBACRule with resourceNames or nonResourceURLs is not supported by the chart's rules");
    }
    if (rule.apiGroups().length == 0 || rule.resources().length == 0 || rule.verbs().length == 0) {
      throw new IllegalArgumentException(reconciler.getName()
          + ": @RBACRule needs apiGroups (\"\" for the core group), resources and verbs");
    }
    List<Rule> rules = new ArrayList<>();
    for (String group : rule.apiGroups()) {
      for (String resource : rule.resources()) {
        rules.add(new Rule(group, resource, List.of(rule.verbs())));
      }
    }
    return rules;
  }

  /** One RBAC rule: one API group ("" is the core group), one resource, distinct verbs in a fixed order. */
  public record Rule(String apiGroup, String resource, List<String> verbs) {

    public Rule {
      Objects.requireNonNull(apiGroup, "apiGroup");
      Objects.requireNonNull(resource, "resource");
      if (verbs.isEmpty()) {
        throw new IllegalArgumentException("a rule on " + resource + " needs verbs");
      }
      verbs = verbs.stream().distinct().sorted(VERB_COMPARATOR).toList();
    }

    public Rule(String apiGroup, String resource, String... verbs) {
      this(apiGroup, resource, List.of(verbs));
    }
  }
}
