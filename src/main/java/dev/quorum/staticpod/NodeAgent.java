package dev.quorum.staticpod;

import dev.quorum.api.v1alpha1.StaticPodSettings;
import dev.quorum.model.Labels;
import dev.quorum.tls.CertificateChecks;
import dev.quorum.tls.ClusterCertificates;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node agent ({@code node-agent} mode of the operator's image; a DaemonSet per StaticPod-mode cluster, on the
 * cluster's nodes): keeps the kubelet's static pod directory holding the manifest the operator decided for this node's
 * member. It reads the ConfigMap in its own namespace labelled with its cluster and {@value Labels#STATIC_POD_NODE}=
 * {@code <node>}, which holds the manifest under {@value #MANIFEST_KEY}, and writes it to
 * {@code quorum-<namespace>_<cluster>.yaml}; it removes that file when the ConfigMap goes. With TLS it also puts the
 * members' certificates, from their Secret, into the cluster's certificate directory on the node before the manifest
 * ({@link CertificateDirectory}). It needs to read ConfigMaps in its namespace (and the one Secret) and write those
 * directories (hostPath mounts of them), nothing more.
 */
public final class NodeAgent {

  public static final String COMMAND = "node-agent";
  public static final String MANIFEST_KEY = "manifest.yaml";
  /** For the last look, then for the passes queued before it: both within the pod's grace period (30 s by default). */
  static final Duration LAST_LOOK_TIMEOUT = Duration.ofSeconds(10);

  private NodeAgent() {}

  public static boolean isCommand(String... args) {
    return args.length > 0 && COMMAND.equals(args[0]);
  }

  /**
   * {@code node-agent --cluster C --node N --manifest-dir D --namespace NS [--tls-secret S --tls-dir T]}; the node
   * and namespace default to NODE_NAME and POD_NAMESPACE (the downward API). Runs until the process is stopped; exit
   * code 2 for bad arguments.
   */
  public static int run(String... args) {
    Map<String, String> options = new TreeMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    String node = options.getOrDefault("--node", System.getenv("NODE_NAME"));
    String namespace = options.getOrDefault("--namespace", System.getenv("POD_NAMESPACE"));
    String cluster = options.get("--cluster");
    String dir = options.getOrDefault("--manifest-dir", StaticPodSettings.DEFAULT_MANIFEST_DIRECTORY);
    if (blank(cluster) || blank(node) || blank(namespace) || !Files.isDirectory(Path.of(dir))) {
      System.err.println("node-agent: needs --cluster, --node (or NODE_NAME), --namespace (or POD_NAMESPACE) and an"
          + " existing --manifest-dir (got cluster=" + cluster + ", node=" + node + ", namespace=" + namespace
          + ", manifest-dir=" + dir + ")");
      return 2;
    }
    String tlsSecret = options.get("--tls-secret");
    String tlsDir = options.get("--tls-dir");
    if (blank(tlsSecret) != blank(tlsDir) || (!blank(tlsDir) && !Files.isDirectory(Path.of(tlsDir)))) {
      System.err.println("node-agent: --tls-secret and --tls-dir go together, and --tls-dir must exist (got"
          + " tls-secret=" + tlsSecret + ", tls-dir=" + tlsDir + ")");
      return 2;
    }
    ManifestDirectory manifests = new ManifestDirectory(Path.of(dir));
    String file = ManifestDirectory.fileName(namespace, cluster);
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      Optional<Certificates> tls = blank(tlsSecret) ? Optional.empty() : Optional.of(new Certificates(
          new CertificateDirectory(Path.of(tlsDir)), () -> Optional.ofNullable(
              client.secrets().inNamespace(namespace).withName(tlsSecret).get()).map(Secret::getData)));
      Target target = new Target(manifests, file, tls);
      // one thread does every pass, the last look included, so no two ever touch the node's files at once
      ScheduledExecutorService sync = Executors.newSingleThreadScheduledExecutor();
      // a last look before stopping, fresh from the API server: an agent stopped because its cluster was deleted
      // (its manifests go before it does) removes the manifest; one stopped for an upgrade keeps it, and so does one
      // that cannot look
      Runnable lastLook = () -> {
        try {
          sync(client.configMaps().inNamespace(namespace).withLabel(Labels.STATIC_POD_NODE, node)
              .withLabel(Labels.CLUSTER, cluster).list().getItems(), target, Instant.now());
        } catch (RuntimeException e) {
          System.err.println("node-agent: stopping without a last look, the manifest stays: " + e.getMessage());
        }
      };
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          sync.submit(lastLook).get(LAST_LOOK_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
          // a pass already queued (the ConfigMap's deletion, say) finishes too: the JVM halts once this returns, and
          // a pass cut between the manifest and the certificates would leave the key on the node
          sync.shutdown();
          sync.awaitTermination(LAST_LOOK_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Exception e) {
          System.err.println("node-agent: stopping without a last look, the manifest stays: " + e);
        }
      }, "node-agent-last-look"));
      SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace(namespace)
          .withLabel(Labels.STATIC_POD_NODE, node).withLabel(Labels.CLUSTER, cluster).inform();
      Runnable pass = () -> sync(informer.getStore().list(), target, Instant.now());
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
      // also a backstop: a file changed or removed by hand is put back, and a renewed certificate in the Secret (which
      // changes no ConfigMap) goes on the node
      sync.scheduleWithFixedDelay(pass, 10, 10, TimeUnit.SECONDS);
      // plain lines on standard output: the tool runs before Quarkus, so its logging is not set up
      System.out.println("node-agent: keeping the manifest of " + namespace + "/" + cluster + "'s member on node "
          + node + " in " + dir + "/" + file + tls.map(t -> ", its certificates from the Secret " + tlsSecret + " in "
          + tlsDir).orElse(""));
      new CountDownLatch(1).await();
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /**
   * With TLS: the directory on the node for the members' certificates, and a fresh read of their Secret's data (empty
   * when it does not exist).
   */
  record Certificates(CertificateDirectory directory, Supplier<Optional<Map<String, String>>> secret) {}

  /** What an agent keeps on its node: its manifest file, and with TLS the certificates its member starts with. */
  record Target(ManifestDirectory manifests, String file, Optional<Certificates> tls) {}

  /**
   * The manifest of the ConfigMap for this node (the first by name, should there be several), or none. With TLS the
   * members' Secret as it is now goes on the node first, as the kubelet mounts a Secret into a pod as it is when the
   * pod starts and updates it while it runs; the operator's roll restarts members whose trust changed. A Secret that
   * is missing or that members could not use is not written: the node keeps what it has, and without certificates no
   * manifest is written. Without a manifest, the certificates go too.
   */
  static void sync(List<ConfigMap> configMaps, Target target, Instant now) {
    Optional<String> manifest = configMaps.stream()
        .filter(c -> c.getMetadata().getDeletionTimestamp() == null)
        .sorted(Comparator.comparing(c -> c.getMetadata().getName()))
        .map(c -> c.getData() == null ? null : c.getData().get(MANIFEST_KEY))
        .filter(m -> m != null && !m.isBlank())
        .findFirst();
    try {
      if (manifest.isPresent() && target.tls().isPresent() && !keepCertificates(target.tls().get(), now)) {
        return;
      }
      if (target.manifests().keep(target.file(), manifest)) {
        System.out.println("node-agent: " + (manifest.isPresent() ? "wrote " : "removed ") + target.file());
      }
      if (manifest.isEmpty() && target.tls().isPresent() && target.tls().get().directory().clear()) {
        System.out.println("node-agent: removed the certificates");
      }
    } catch (IOException | RuntimeException e) {
      // never the Secret's contents: the message is the file system's or the API server's
      System.err.println("node-agent: the manifest could not be kept, retrying: " + e.getMessage());
    }
  }

  /**
   * Puts the members' Secret on the node when members can use it.
   *
   * @return whether the node holds certificates the member can start with
   */
  private static boolean keepCertificates(Certificates tls, Instant now) throws IOException {
    Optional<Map<String, String>> secret = tls.secret().get();
    Map<String, String> decoded = secret.map(ClusterCertificates::decoded).orElse(Map.of());
    // the names are the operator's to check (it knows the nodes' addresses); a broken pair is never written
    List<String> problems = secret.isEmpty() ? List.of("it does not exist")
        : CertificateChecks.memberSecretProblems(decoded, List.of(), now);
    if (!problems.isEmpty()) {
      System.err.println("node-agent: the members' Secret cannot be used (" + String.join("; ", problems) + "); "
          + (tls.directory().holdsAny() ? "the node keeps the certificates it has" : "the manifest waits for it"));
      return tls.directory().holdsAny();
    }
    if (tls.directory().keep(decoded)) {
      System.out.println("node-agent: wrote the members' certificates");
    }
    return true;
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
