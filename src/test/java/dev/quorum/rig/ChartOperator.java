package dev.quorum.rig;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The operator as users install it: {@code helm install} of the chart in helm/quorum, unchanged, running the image
 * the build describes (present on every node, never pulled) as the chart's pod, with the chart's service account,
 * security context and probes.
 */
public final class ChartOperator implements RunningOperator {

  public static final String RELEASE = "quorum";
  /** Where the demo installs it, as the README's install instructions do. */
  public static final String NAMESPACE = "quorum-system";
  /** The chart's selector label for its operator pods. */
  private static final String INSTANCE_LABEL = "app.kubernetes.io/instance";

  private final Rig rig;
  private final Helm helm;
  private final String release;
  private final String namespace;

  private ChartOperator(Rig rig, String release, String namespace) {
    this.rig = rig;
    this.helm = Helm.of(rig.tools());
    this.release = release;
    this.namespace = namespace;
  }

  /**
   * Installs the chart into {@code namespace} (restricted Pod Security), the operator's {@code settings} given as the
   * chart's extraEnv, and waits until the operator is ready.
   */
  public static ChartOperator install(Rig rig, String namespace, Map<String, String> settings) {
    return install(rig, RELEASE, namespace, settingsArgs(settings));
  }

  /**
   * Installs the chart as release {@code release} into {@code namespace}, watching only {@code watched} (a Role there,
   * and reading nodes for StaticPod clusters), with the operator's {@code settings}: an operator of one test class,
   * which runs beside other classes' operators without touching their clusters.
   */
  public static ChartOperator installWatching(Rig rig, String release, String namespace, String watched,
      Map<String, String> settings) {
    List<String> args = new ArrayList<>(settingsArgs(settings));
    args.addAll(List.of("--set", "watchNamespaces={" + watched + "}", "--set", "readNodes=true"));
    return install(rig, release, namespace, args);
  }

  private static List<String> settingsArgs(Map<String, String> settings) {
    List<String> helmArgs = new ArrayList<>();
    if (!settings.isEmpty()) {
      helmArgs.add("--set-json");
      helmArgs.add("extraEnv=" + settings.entrySet().stream()
          .map(e -> "{\"name\":\"" + e.getKey() + "\",\"value\":\"" + e.getValue() + "\"}")
          .collect(java.util.stream.Collectors.joining(",", "[", "]")));
    }
    return helmArgs;
  }

  /** Installs the chart into {@code namespace} (restricted Pod Security) and waits until the operator is ready. */
  public static ChartOperator install(Rig rig, String namespace, List<String> helmArgs) {
    return install(rig, RELEASE, namespace, helmArgs);
  }

  private static ChartOperator install(Rig rig, String release, String namespace, List<String> helmArgs) {
    rig.importOperatorImage();
    rig.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
        .addToLabels("pod-security.kubernetes.io/enforce", RigSession.RESTRICTED)
        .addToLabels("pod-security.kubernetes.io/enforce-version", "latest").endMetadata().build())
        .serverSideApply();
    ChartOperator operator = new ChartOperator(rig, release, namespace);
    List<String> args = new ArrayList<>(List.of("install", release, "helm/quorum", operator.kubeconfig(),
        "--namespace", namespace, "--wait", "--timeout", "3m"));
    args.addAll(helmArgs);
    Helm.Result install = operator.helm.run(Duration.ofMinutes(4), args);
    if (!install.ok()) {
      throw new IllegalStateException("helm install of the chart failed: " + install + "\n" + operator.logTail(40));
    }
    return operator;
  }

  private String kubeconfig() {
    return "--kubeconfig=" + rig.controlPlane().kubeconfig();
  }

  public String namespace() {
    return namespace;
  }

  public List<Pod> pods() {
    return rig.client().pods().inNamespace(namespace).withLabel(INSTANCE_LABEL, release).list().getItems();
  }

  /** Some operator pod runs, and none has restarted (a crash, or its liveness probe failing). */
  @Override
  public boolean isAlive() {
    try {
      List<Pod> pods = pods();
      return pods.stream().anyMatch(p -> "Running".equals(p.getStatus().getPhase())) && pods.stream()
          .flatMap(p -> p.getStatus().getContainerStatuses().stream()).mapToInt(ContainerStatus::getRestartCount)
          .sum() == 0;
    } catch (KubernetesClientException e) {
      return true; // the API server is busy: no news of the operator
    }
  }

  /** The last lines of every operator pod's log (the previous container's too, after a restart). */
  @Override
  public String logTail(int lines) {
    StringBuilder tail = new StringBuilder();
    for (Pod pod : pods()) {
      var resource = rig.client().pods().inNamespace(namespace).withName(pod.getMetadata().getName());
      try {
        tail.append("--- ").append(pod.getMetadata().getName()).append('\n')
            .append(resource.tailingLines(lines).getLog());
      } catch (KubernetesClientException e) {
        tail.append("(no log: ").append(e.getMessage()).append(")\n");
      }
    }
    return tail.toString();
  }

  /** Where the operator serves its Prometheus metrics: the chart's http port on a running operator pod. */
  public java.net.URI metricsUrl() {
    Pod running = pods().stream().filter(p -> "Running".equals(p.getStatus().getPhase())).findFirst()
        .orElseThrow(() -> new IllegalStateException("no operator pod runs"));
    return java.net.URI.create("http://" + running.getStatus().getPodIP() + ":" + HTTP_PORT + "/q/metrics");
  }

  /**
   * The PodMonitor the chart creates for this release with {@code metrics.podMonitor.enabled}, rendered by helm: the
   * rig serves no PodMonitor resource, so its Prometheus is given the targets rendered from this object.
   */
  public io.fabric8.kubernetes.api.model.GenericKubernetesResource podMonitor() {
    Helm.Result rendered = helm.run(Helm.DEFAULT_TIMEOUT, List.of("template", release, "helm/quorum", "--namespace",
        namespace, "--kube-version", rig.tools().kubeVersion(), "--set", "metrics.podMonitor.enabled=true",
        "--show-only", "templates/podmonitor.yaml"));
    if (!rendered.ok()) {
      throw new IllegalStateException("helm template of the PodMonitor failed: " + rendered);
    }
    return rig.client().getKubernetesSerialization().unmarshal(rendered.stdout(),
        io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
  }

  /** The chart's container port for health and metrics. */
  static final int HTTP_PORT = 8080;

  /** Everything the operator pods logged so far. */
  public String logs() {
    StringBuilder logs = new StringBuilder();
    for (Pod pod : pods()) {
      logs.append(rig.client().pods().inNamespace(namespace).withName(pod.getMetadata().getName()).getLog());
    }
    return logs.toString();
  }

  /** The operator's log is kept under the rig's logs (the kubelet deletes a pod's log with the pod). */
  @Override
  public void close() {
    try {
      java.nio.file.Files.writeString(rig.logs().resolve(release + ".log"), logs());
    } catch (java.io.IOException | KubernetesClientException e) {
      System.err.println("the log of " + release + " could not be kept: " + e.getMessage());
    }
    helm.run(Duration.ofMinutes(2), List.of("uninstall", release, kubeconfig(), "--namespace", namespace, "--wait"));
  }
}
