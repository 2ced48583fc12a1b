package dev.quorum.rig;

import dev.quorum.rig.ClientResult;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The suite's shared rig as one test class sees it: register as
 * {@code @RegisterExtension static final RigSession RIG = new RigSession();} to get the rig, a namespace of
 * the class's own (named after it, so pod logs carry the test's name) and the clients tests use. The namespace
 * enforces the restricted Pod Security Standard, so every pod the operator makes there is shown to meet it; classes
 * whose pods cannot (a StaticPod cluster's node agent mounts a host directory) ask for {@link #privileged()}.
 */
public final class RigSession implements BeforeAllCallback {

  public static final String RESTRICTED = "restricted";
  public static final String PRIVILEGED = "privileged";

  private final String podSecurity;
  private Rig rig;
  private String namespace;

  public RigSession() {
    this(RESTRICTED);
  }

  private RigSession(String podSecurity) {
    this.podSecurity = podSecurity;
  }

  /** A session whose namespace admits privileged pods: host directories, root. */
  public static RigSession privileged() {
    return new RigSession(PRIVILEGED);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    rig = SharedRig.get(context);
    namespace = SharedRig.namespace(rig, context, podSecurity);
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
