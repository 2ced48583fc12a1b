package dev.quorum.staticpod;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node agent ({@code node-agent} mode of the operator's image, one per node): keeps the kubelet's static pod
 * directory holding the etcd manifests the operator decided for this node. It reads ConfigMaps in its own namespace
 * labelled {@value #NODE_LABEL}={@code <node>}, each holding one manifest under {@value #MANIFEST_KEY}, and writes
 * each to {@code quorum-<ConfigMap name>.yaml}. It needs to read those ConfigMaps and write that one directory
 * (a hostPath mount of it), nothing more.
 */
public final class NodeAgent {

  public static final String COMMAND = "node-agent";
  public static final String NODE_LABEL = "etcd.quorum.dev/static-pod-node";
  public static final String MANIFEST_KEY = "manifest.yaml";

  private NodeAgent() {}

  public static boolean isCommand(String... args) {
    return args.length > 0 && COMMAND.equals(args[0]);
  }

  /**
   * {@code node-agent --node N --manifest-dir D --namespace NS}; the node and namespace default to NODE_NAME and
   * POD_NAMESPACE (the downward API). Runs until the process is stopped; exit code 2 for bad arguments.
   */
  public static int run(String... args) {
    Map<String, String> options = new TreeMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    String node = options.getOrDefault("--node", System.getenv("NODE_NAME"));
    String namespace = options.getOrDefault("--namespace", System.getenv("POD_NAMESPACE"));
    String dir = options.getOrDefault("--manifest-dir", "/etc/kubernetes/manifests");
    if (node == null || node.isBlank() || namespace == null || namespace.isBlank() || !Files.isDirectory(Path.of(dir))) {
      System.err.println("node-agent: needs --node (or NODE_NAME), --namespace (or POD_NAMESPACE) and an existing"
          + " --manifest-dir (got node=" + node + ", namespace=" + namespace + ", manifest-dir=" + dir + ")");
      return 2;
    }
    ManifestDirectory manifests = new ManifestDirectory(Path.of(dir));
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace(namespace)
          .withLabel(NODE_LABEL, node).inform();
      ScheduledExecutorService sync = Executors.newSingleThreadScheduledExecutor();
      Runnable pass = () -> sync(informer.getStore().list(), manifests);
      informer.addEventHandler(new ResourceEventHandler<>() {
        public void onAdd(ConfigMap obj) {
          sync.execute(pass);
        }

        public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
          sync.execute(pass);
        }

        public void onDelete(ConfigMap obj, boolean deletedFinalStateUnknown) {
          sync.execute(pass);
        }
      });
      // a backstop: a file changed or removed by hand is put back
      sync.scheduleWithFixedDelay(pass, 10, 10, TimeUnit.SECONDS);
      // plain lines on standard output: the tool runs before Quarkus, so its logging is not set up
      System.out.println("node-agent: keeping the etcd manifests of node " + node + " in " + dir);
      new CountDownLatch(1).await();
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  static void sync(List<ConfigMap> configMaps, ManifestDirectory manifests) {
    Map<String, String> desired = new TreeMap<>();
    for (ConfigMap configMap : configMaps) {
      String manifest = configMap.getData() == null ? null : configMap.getData().get(MANIFEST_KEY);
      if (manifest != null && !manifest.isBlank()) {
        desired.put(ManifestDirectory.fileName(configMap.getMetadata().getName()), manifest);
      }
    }
    try {
      List<String> changed = manifests.sync(desired);
      if (!changed.isEmpty()) {
        System.out.println("node-agent: wrote or removed " + changed);
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("node-agent: the manifests could not be written, retrying: " + e.getMessage());
    }
  }
}
