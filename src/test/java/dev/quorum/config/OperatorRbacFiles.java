package dev.quorum.config;

import dev.quorum.config.OperatorRbac.Rule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes the chart's RBAC rules, computed by {@link OperatorRbac}, as YAML lists the chart's templates include:
 * {@code java -cp <test classpath> dev.quorum.config.OperatorRbacFiles <directory>} (hack/update-generated.sh).
 */
public final class OperatorRbacFiles {

  public static final String OPERATOR_RULES = "operator-rules.yaml";
  public static final String NODE_RULES = "node-rules.yaml";
  public static final String LEADER_ELECTION_RULES = "leader-election-rules.yaml";

  private OperatorRbacFiles() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: OperatorRbacFiles <directory>");
      System.exit(2);
    }
    Path directory = Files.createDirectories(Path.of(args[0]));
    List<Rule> rules = OperatorRbac.rulesFor(OperatorReconcilers.discover());
    write(directory.resolve(OPERATOR_RULES), "the reconcilers' declarations on namespaced resources by"
        + " dev.quorum.config.OperatorRbac", OperatorRbac.namespaced(rules));
    write(directory.resolve(NODE_RULES), "the reconcilers' declarations on resources without a namespace by"
        + " dev.quorum.config.OperatorRbac", OperatorRbac.clusterScoped(rules));
    write(directory.resolve(LEADER_ELECTION_RULES), "dev.quorum.config.LeaderElectionCustomizer.LEASE_RULE",
        OperatorRbac.leaderElectionRules());
  }

  /** The rules as a YAML list in the chart's style, one group and one resource per rule, after a header. */
  static String yaml(String source, List<Rule> rules) {
    StringBuilder out = new StringBuilder("# Generated from " + source + " (hack/update-generated.sh). Do not edit.\n");
    for (Rule rule : rules) {
      out.append("- apiGroups: [").append(quoted(rule.apiGroup())).append("]\n")
          .append("  resources: [").append(quoted(rule.resource())).append("]\n")
          .append("  verbs: [").append(rule.verbs().stream().map(OperatorRbacFiles::quoted)
              .collect(Collectors.joining(", "))).append("]\n");
    }
    return out.toString();
  }

  private static void write(Path file, String source, List<Rule> rules) throws IOException {
    Files.writeString(file, yaml(source, rules), StandardCharsets.UTF_8);
  }

  private static String quoted(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
