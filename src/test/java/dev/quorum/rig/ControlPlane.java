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

  /** Controllers the rig needs; no node lifecycle controller, since the local kubelet is the only node agent. */
  static final List<String> CONTROLLERS = List.of("serviceaccount-controller", "serviceaccount-token-controller",
      "namespace-controller", "garbage-collector-controller", "statefulset-controller", "replicaset-controller",
      "deployment-controller", "daemonset-controller", "job-controller", "cronjob-controller", "ttl-after-finished-controller",
      "endpoints-controller", "endpointslice-controller", "endpointslice-mirroring-controller",
      "disruption-controller", "persistentvolume-binder-controller", "persistentvolumeclaim-protection-controller",
      "persistentvolume-protection-controller", "root-ca-certificate-publisher-controller",
      "resourcequota-controller", "pod-garbage-collector-controller", "clusterrole-aggregation-controller");

  private final Tools tools;
  private final Path dir;
  private final Path logs;
  private final String adminToken = UUID.randomUUID().toString();
  private final List<ManagedProcess> processes = new ArrayList<>();
  private int apiPort;
  private Path kubeconfig;
  private KubernetesClient client;

  public ControlPlane(Tools tools, Path dir, Path logs) {
    this.tools = tools;
    this.dir = dir;
    this.logs = logs;
  }

  public ControlPlane start() {
    try {
      Files.createDirectories(dir);
      startEtcd();
      startApiServer();
      writeKubeconfig();
      startControllerManager();
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
    apiPort = Net.freePort();
    KeyPair serviceAccountKeys = rsaKeyPair();
    Path saKey = write("sa.key", pem("PRIVATE KEY", serviceAccountKeys.getPrivate().getEncoded()));
    Path saPub = write("sa.pub", pem("PUBLIC KEY", serviceAccountKeys.getPublic().getEncoded()));
    Path tokens = write("tokens.csv", adminToken + ",admin,admin-uid,\"system:masters\"\n");
    Path pki = dir.resolve("pki");
    Files.createDirectories(pki);
    ManagedProcess apiServer = ManagedProcess.start("kube-apiserver", List.of(
        tools.kubeBinary("kube-apiserver").toString(),
        "--etcd-servers=http://127.0.0.1:" + etcdClientPort,
        "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
        "--secure-port=" + apiPort,
        "--cert-dir=" + pki,
        "--token-auth-file=" + tokens,
        "--authorization-mode=RBAC",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file=" + saPub,
        "--service-account-signing-key-file=" + saKey,
        "--service-cluster-ip-range=10.96.0.0/16",
        "--allow-privileged=true",
        "--endpoint-reconciler-type=none",
        "--v=1"),
        null, dir, logs.resolve("kube-apiserver.log"));
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

  private void startControllerManager() {
    processes.add(ManagedProcess.start("kube-controller-manager", List.of(
        tools.kubeBinary("kube-controller-manager").toString(),
        "--kubeconfig=" + kubeconfig,
        "--authentication-kubeconfig=" + kubeconfig,
        "--authorization-kubeconfig=" + kubeconfig,
        "--bind-address=127.0.0.1",
        "--secure-port=" + Net.freePort(),
        "--controllers=" + String.join(",", CONTROLLERS),
        "--leader-elect=false",
        "--use-service-account-credentials=false",
        "--service-account-private-key-file=" + saKeyPath,
        "--root-ca-file=" + caFile(),
        "--cluster-name=quorum-rig",
        "--concurrent-statefulset-syncs=5",
        "--v=1"),
        null, dir, logs.resolve("kube-controller-manager.log")));
  }

  private void awaitDefaultServiceAccount() {
    ManagedProcess controllerManager = processes.get(processes.size() - 1);
    await("service account controller creates default/default").atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250)).until(() -> {
          if (!controllerManager.isAlive()) {
            throw new IllegalStateException("kube-controller-manager exited:\n" + controllerManager.tail(30));
          }
          return client().serviceAccounts().inNamespace("default").withName("default").get() != null;
        });
  }

  private void writeKubeconfig() throws IOException {
    String ca = Base64.getEncoder().encodeToString(Files.readAllBytes(caFile()));
    kubeconfig = write("kubeconfig", """
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
        """.formatted(apiUrl(), ca, adminToken));
  }

  /** The API server's self-generated serving certificate chain; its CA signs the serving certificate. */
  Path caFile() {
    return dir.resolve("pki/apiserver.crt");
  }

  public String apiUrl() {
    return "https://127.0.0.1:" + apiPort;
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
