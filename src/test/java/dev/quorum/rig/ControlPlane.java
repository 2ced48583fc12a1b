package dev.quorum.rig;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real Kubernetes control plane as local processes: etcd (its storage), kube-apiserver (token
 * authentication, RBAC, every default admission plugin) and kube-controller-manager (StatefulSet, garbage
 * collector, namespace, job, service account, endpoints, disruption, DaemonSet and volume binding controllers).
 */
public final class ControlPlane implements AutoCloseable {

  /** Controllers every rig needs (real nodes add {@link #NODE_CONTROLLERS}). */
  static final List<String> CONTROLLERS = List.of("serviceaccount-controller", "serviceaccount-token-controller",
      "namespace-controller", "garbage-collector-controller", "statefulset-controller", "replicaset-controller",
      "deployment-controller", "daemonset-controller", "job-controller", "cronjob-controller", "ttl-after-finished-controller",
      "endpoints-controller", "endpointslice-controller", "endpointslice-mirroring-controller",
      "disruption-controller", "persistentvolume-binder-controller", "persistentvolumeclaim-protection-controller",
      "persistentvolume-protection-controller", "root-ca-certificate-publisher-controller",
      "resourcequota-controller", "pod-garbage-collector-controller", "clusterrole-aggregation-controller");

  /** Controllers real nodes add: nodes that stop reporting become NotReady, then their pods are evicted. */
  static final List<String> NODE_CONTROLLERS = List.of("node-lifecycle-controller", "taint-eviction-controller");

  private final Tools tools;
  private final Path dir;
  private final Path logs;
  /** Where the API server listens: loopback for the process rig, the bridge's address for real nodes. */
  private final String bindAddress;
  /** Real nodes by name, each authenticated as {@code system:node:<name>}; empty for the process rig. */
  private final List<String> nodeNames;
  private final java.util.Map<String, String> tokens = new java.util.LinkedHashMap<>();
  private final String adminToken = UUID.randomUUID().toString();
  private final List<ManagedProcess> processes = new ArrayList<>();
  private int apiPort;
  private Path kubeconfig;
  private KubernetesClient client;

  public ControlPlane(Tools tools, Path dir, Path logs) {
    this(tools, dir, logs, "127.0.0.1", List.of());
  }

  private ControlPlane(Tools tools, Path dir, Path logs, String bindAddress, List<String> nodeNames) {
    this.tools = tools;
    this.dir = dir;
    this.logs = logs;
    this.bindAddress = bindAddress;
    this.nodeNames = List.copyOf(nodeNames);
  }

  /**
   * A control plane for real nodes: the API server on the bridge's address (where nodes and pods reach it), the
   * Node authorizer and NodeRestriction for the kubelets, node lifecycle controllers and the real kube-scheduler.
   */
  public static ControlPlane forNodes(Tools tools, Path dir, Path logs, List<String> nodeNames) {
    return new ControlPlane(tools, dir, logs, RigAddresses.HOST_IP, nodeNames);
  }

  private boolean realNodes() {
    return !nodeNames.isEmpty();
  }

  public ControlPlane start() {
    try {
      Files.createDirectories(dir);
      startEtcd();
      startApiServer();
      writeKubeconfig();
      startControllerManager();
      if (realNodes()) {
        writeComponentKubeconfigs();
        startScheduler();
      }
      awaitDefaultServiceAccount();
      return this;
    } catch (RuntimeException | IOException e) {
      close();
      throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
    }
  }

  private int etcdClientPort;

  private void startEtcd() {
    etcdClientPort = Net.freePort();
    int peerPort = Net.freePort();
    String client = "http://127.0.0.1:" + etcdClientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    processes.add(ManagedProcess.start("control-plane-etcd", List.of(
        tools.etcdBinary(tools.defaultEtcdVersion(), "etcd").toString(),
        "--name=control-plane",
        "--data-dir=" + dir.resolve("etcd"),
        "--listen-client-urls=" + client, "--advertise-client-urls=" + client,
        "--listen-peer-urls=" + peer, "--initial-advertise-peer-urls=" + peer,
        "--initial-cluster=control-plane=" + peer,
        "--unsafe-no-fsync=true", "--log-level=warn"),
        null, dir, logs.resolve("control-plane-etcd.log")));
    awaitListening("control-plane etcd", etcdClientPort, processes.get(processes.size() - 1));
  }

  private void startApiServer() throws IOException {
    apiPort = Net.freePort(bindAddress);
    KeyPair serviceAccountKeys = rsaKeyPair();
    Path saKey = write("sa.key", pem("PRIVATE KEY", serviceAccountKeys.getPrivate().getEncoded()));
    Path saPub = write("sa.pub", pem("PUBLIC KEY", serviceAccountKeys.getPublic().getEncoded()));
    StringBuilder tokenLines = new StringBuilder(adminToken + ",admin,admin-uid,\"system:masters\"\n");
    for (String node : nodeNames) {
      tokens.put(node, UUID.randomUUID().toString());
      tokenLines.append(tokens.get(node)).append(",system:node:").append(node).append(',').append(node)
          .append(",\"system:nodes\"\n");
    }
    if (realNodes()) {
      // the users their default ClusterRoleBindings name (system:kube-proxy is bound by the rig: kubeadm's way)
      for (String user : List.of(KUBE_PROXY_USER, SCHEDULER_USER)) {
        tokens.put(user, UUID.randomUUID().toString());
        tokenLines.append(tokens.get(user)).append(',').append(user).append(',').append(user).append('\n');
      }
    }
    Path tokenFile = write("tokens.csv", tokenLines.toString());
    Path pki = dir.resolve("pki");
    Files.createDirectories(pki);
    List<String> command = new ArrayList<>(List.of(
        tools.kubeBinary("kube-apiserver").toString(),
        "--etcd-servers=http://127.0.0.1:" + etcdClientPort,
        "--bind-address=" + bindAddress, "--advertise-address=" + bindAddress,
        "--secure-port=" + apiPort,
        "--cert-dir=" + pki,
        "--token-auth-file=" + tokenFile,
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file=" + saPub,
        "--service-account-signing-key-file=" + saKey,
        "--service-cluster-ip-range=" + RigAddresses.SERVICE_SUBNET,
        "--allow-privileged=true",
        "--v=1"));
    if (realNodes()) {
      command.addAll(List.of("--authorization-mode=Node,RBAC", "--enable-admission-plugins=NodeRestriction",
          "--kubelet-preferred-address-types=InternalIP,Hostname"));
    } else {
      command.addAll(List.of("--authorization-mode=RBAC", "--endpoint-reconciler-type=none"));
    }
    ManagedProcess apiServer = ManagedProcess.start("kube-apiserver", command, null, dir,
        logs.resolve("kube-apiserver.log"));
    processes.add(apiServer);
    await("kube-apiserver ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
        .until(() -> {
          if (!apiServer.isAlive()) {
            throw new IllegalStateException("kube-apiserver exited:\n" + apiServer.tail(30));
          }
          return apiReady();
        });
    this.saKeyPath = saKey;
  }

  private Path saKeyPath;

  static final String KUBE_PROXY_USER = "system:kube-proxy";
  static final String SCHEDULER_USER = "system:kube-scheduler";

  private void startControllerManager() {
    List<String> controllers = new ArrayList<>(CONTROLLERS);
    if (realNodes()) {
      controllers.addAll(NODE_CONTROLLERS);
    }
    processes.add(ManagedProcess.start("kube-controller-manager", List.of(
        tools.kubeBinary("kube-controller-manager").toString(),
        "--kubeconfig=" + kubeconfig,
        "--authentication-kubeconfig=" + kubeconfig,
        "--authorization-kubeconfig=" + kubeconfig,
        "--bind-address=127.0.0.1",
        "--secure-port=" + Net.freePort(),
        "--controllers=" + String.join(",", controllers),
        "--leader-elect=false",
        "--use-service-account-credentials=false",
        "--service-account-private-key-file=" + saKeyPath,
        "--root-ca-file=" + caFile(),
        "--cluster-name=quorum-rig",
        "--concurrent-statefulset-syncs=5",
        "--v=1"),
        null, dir, logs.resolve("kube-controller-manager.log")));
  }

  private void writeComponentKubeconfigs() throws IOException {
    for (var entry : tokens.entrySet()) {
      write(kubeconfigName(entry.getKey()), kubeconfig(entry.getValue()));
    }
  }

  private static String kubeconfigName(String user) {
    return "kubeconfig-" + user.replace(':', '-');
  }

  /** The kubeconfig a node's kubelet authenticates with, as {@code system:node:<node>}. */
  public Path nodeKubeconfig(String node) {
    return dir.resolve(kubeconfigName(node));
  }

  public Path kubeProxyKubeconfig() {
    return dir.resolve(kubeconfigName(KUBE_PROXY_USER));
  }

  private void startScheduler() {
    Path kubeconfig = dir.resolve(kubeconfigName(SCHEDULER_USER));
    ManagedProcess scheduler = ManagedProcess.start("kube-scheduler", List.of(
        tools.nodeBinary("kube-scheduler").toString(),
        "--kubeconfig=" + kubeconfig,
        "--authentication-kubeconfig=" + kubeconfig,
        "--authorization-kubeconfig=" + kubeconfig,
        "--bind-address=127.0.0.1",
        "--secure-port=" + Net.freePort(),
        "--leader-elect=false",
        "--v=1"),
        null, dir, logs.resolve("kube-scheduler.log"));
    processes.add(scheduler);
  }

  private void awaitDefaultServiceAccount() {
    ManagedProcess controllerManager = processes.stream().filter(p -> p.toString().startsWith("kube-controller-manager"))
        .findFirst().orElseThrow();
    await("service account controller creates default/default").atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250)).until(() -> {
          if (!controllerManager.isAlive()) {
            throw new IllegalStateException("kube-controller-manager exited:\n" + controllerManager.tail(30));
          }
          return client().serviceAccounts().inNamespace("default").withName("default").get() != null;
        });
  }

  private void writeKubeconfig() throws IOException {
    kubeconfig = write("kubeconfig", kubeconfig(adminToken));
  }

  private String kubeconfig(String token) throws IOException {
    String ca = Base64.getEncoder().encodeToString(Files.readAllBytes(caFile()));
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: quorum-rig
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: admin
          user:
            token: %s
        contexts:
        - name: quorum-rig
          context:
            cluster: quorum-rig
            user: admin
            namespace: default
        current-context: quorum-rig
        """.formatted(apiUrl(), ca, token);
  }

  /** The API server's self-generated serving certificate chain; its CA signs the serving certificate. */
  Path caFile() {
    return dir.resolve("pki/apiserver.crt");
  }

  public String apiUrl() {
    return "https://" + bindAddress + ":" + apiPort;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public synchronized KubernetesClient client() {
    if (client == null) {
      client = newClient();
    }
    return client;
  }

  /** A client of its own (the caller closes it), e.g. for an operator started in-process. */
  public KubernetesClient newClient() {
    try {
      return new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private boolean apiReady() {
    try {
      HttpClient http = HttpClient.newBuilder().sslContext(trustAll()).connectTimeout(Duration.ofSeconds(2))
          .build();
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(apiUrl() + "/readyz"))
          .header("Authorization", "Bearer " + adminToken).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void awaitListening(String what, int port, ManagedProcess process) {
    await(what + " listening on " + port).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException(what + " exited:\n" + process.tail(30));
          }
          return Net.isListening("127.0.0.1", port);
        });
  }

  /** Readiness polling only: the real clients verify the CA. */
  private static SSLContext trustAll() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] { new X509TrustManager() {
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      } }, new SecureRandom());
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
    // reverse order: controllers first, storage last
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).stop(Duration.ofSeconds(10));
    }
  }
}
