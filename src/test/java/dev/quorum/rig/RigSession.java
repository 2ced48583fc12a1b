package dev.quorum.rig;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The suite's shared rig as one test class sees it, and everything the class's tests share on it: register as
 * {@code @RegisterExtension static final RigSession RIG = new RigSession();} to get the rig, a namespace of the class's
 * own (named after it, so logs carry the test's name), the clients tests use and, with {@link #withOperator}, the
 * operator installed as users install it (the chart's pod, in a namespace of its own) for the class's tests and
 * uninstalled after them. The namespace enforces the restricted Pod Security Standard, so every pod the operator makes
 * there is shown to meet it; classes whose pods cannot (a StaticPod cluster's node agent mounts a host directory) ask
 * for {@link #privileged()}.
 */
public final class RigSession implements BeforeAllCallback, AfterAllCallback {

  public static final String RESTRICTED = "restricted";
  public static final String PRIVILEGED = "privileged";
  /**
   * Held by classes whose etcd members are static pods on the nodes (they take the nodes' etcd ports and write the
   * kubelets' static pod directories): one such class at a time, beside any other class.
   */
  public static final String NODES_STATIC_PODS = "rig-nodes-static-pods";

  private final String podSecurity;
  private final Map<String, String> operatorSettings;
  private Rig rig;
  private String namespace;
  private ChartOperator operator;

  public RigSession() {
    this(RESTRICTED, null);
  }

  private RigSession(String podSecurity, Map<String, String> operatorSettings) {
    this.podSecurity = podSecurity;
    this.operatorSettings = operatorSettings;
  }

  /** A session whose namespace admits privileged pods: host directories, root. */
  public static RigSession privileged() {
    return new RigSession(PRIVILEGED, null);
  }

  /**
   * The same session with the operator installed by the chart for the class, with {@code settings} (QUORUM_* names,
   * as the chart's extraEnv) on top of its defaults: a quicker status refresh, a short replace deadline.
   */
  public RigSession withOperator(Map<String, String> settings) {
    return new RigSession(podSecurity, new LinkedHashMap<>(settings));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    rig = SharedRig.get(context);
    namespace = SharedRig.namespace(rig, context, podSecurity);
    if (operatorSettings != null) {
      installQuorumCrds();
      // the class's own release, watching the class's namespace only: classes run side by side
      operator = ChartOperator.installWatching(rig, operatorNamespace(), operatorNamespace(), namespace,
          operatorSettings);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (operator != null) {
      operator.close();
      operator = null;
    }
  }

  /** Where the class's operator runs: beside the class's namespace, so its pod is not among the tests' pods. */
  private String operatorNamespace() {
    // also the release's name: at most 53 characters, helm says
    String base = namespace.length() > 44 ? namespace.substring(0, 44) : namespace;
    return base + "-operator";
  }

  public Rig rig() {
    return rig;
  }

  public String namespace() {
    return namespace;
  }

  public KubernetesClient client() {
    return rig.client();
  }

  /**
   * The operator as a process on this machine (for tests about the process: failpoints, halting it), watching this
   * class's namespace only; {@code settings} on top of its defaults. The caller closes it.
   */
  public OperatorProcess startOperatorProcess(String name, Map<String, String> settings) {
    return startOperatorProcess(name, settings, OperatorProcess.DEFAULT_JVM_ARGS);
  }

  /** @param jvmArgs the JVM's options instead of the defaults (e.g. a smaller heap) */
  public OperatorProcess startOperatorProcess(String name, Map<String, String> settings, List<String> jvmArgs) {
    Map<String, String> watching = new LinkedHashMap<>(settings);
    watching.put(OperatorProcess.WATCH_NAMESPACES, namespace);
    return OperatorProcess.start(rig, name, watching, jvmArgs);
  }

  /** The class's operator (see {@link #withOperator}). */
  public ChartOperator operator() {
    if (operator == null) {
      throw new IllegalStateException("this session runs no operator: register it withOperator(...)");
    }
    return operator;
  }

  /** etcdctl of the default etcd version, run as a pod in this namespace would (cluster DNS names resolve). */
  public ClientResult etcdctl(String... args) {
    String[] argv = new String[args.length + 2];
    argv[0] = rig.tools().etcdBinary(rig.tools().defaultEtcdVersion(), "etcdctl").toString();
    argv[1] = "--command-timeout=10s";
    System.arraycopy(args, 0, argv, 2, args.length);
    return rig.runInCluster(namespace, Duration.ofSeconds(30), argv);
  }

  /** Applies the generated CRDs in crds/ and waits until the API server serves them. */
  public void installQuorumCrds() {
    QuorumCrds.install(client());
  }
}
