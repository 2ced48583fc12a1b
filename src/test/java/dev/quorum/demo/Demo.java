package dev.quorum.demo;

import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.rig.ChartOperator;
import dev.quorum.rig.ClientResult;
import dev.quorum.rig.Rig;
import dev.quorum.rig.RigImages;
import dev.quorum.rig.RunningOperator;
import dev.quorum.rig.S3Server;
import dev.quorum.testing.Clusters;
import dev.quorum.testing.TlsClusters;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Quorum's main job on the local rig: a real control plane and three real nodes, the chart installed with the
 * operator's image, and deploy/examples/etcdcluster.yaml turned into a real 3-member etcd cluster, backed up and restored, and
 * deploy/examples/static-pod/etcdcluster.yaml into a cluster of static pods, one on each node. Stays up until Ctrl-C
 * ({@code --exit}: stop once the cluster is Available and has served a write, for CI).
 */
public final class Demo {

  public static final ResourceDefinitionContext ETCD_CLUSTERS = new ResourceDefinitionContext.Builder()
      .withGroup("etcd.quorum.dev").withVersion("v1alpha1").withPlural("etcdclusters").withKind("EtcdCluster")
      .withNamespaced(true).build();

  public static void main(String[] args) throws Exception {
    boolean exit = List.of(args).contains("--exit");
    PrintStream out = System.out;
    try {
      step(out, "starting the local rig in target/rig/demo: a control plane (etcd, kube-apiserver, kube-controller-manager,"
          + " kube-scheduler) and 3 nodes (kubelet, containerd, runc, kube-proxy; CoreDNS)");
      try (Rig rig = Rig.start("demo", 3); Running demo = run(rig, out)) {
        if (exit) {
          step(out, "--exit given: stopping the rig");
        } else {
          step(out, "up; press Ctrl-C to stop (every process the demo started is stopped)");
          Thread.currentThread().join();
        }
      }
    } catch (Exception | Error e) {
      // the step's name first, then the cause: the user sees what did not work without reading a stack trace
      System.err.println("==> FAILED while " + lastStep + ": " + e);
      e.printStackTrace();
      System.exit(1);
    }
    step(out, "stopped");
    System.exit(0); // client libraries may leave idle non-daemon threads behind; the demo is done
  }

  /** The step the demo is at, named in its output and again if it fails. */
  private static volatile String lastStep = "starting";

  private static void step(PrintStream out, String what) {
    lastStep = what;
    out.println("==> " + what);
  }

  /** The demo once it is up: the operator keeps running (and serving new resources) until this is closed. */
  /**
   * @param restoredKeys what etcdctl read back from the restored cluster
   * @param staticMembers etcd's member list of the StaticPod-mode cluster
   */
  public record Running(RunningOperator operator, String members, EtcdBackup backup, EtcdRestore restore,
      String restoredKeys, String staticMembers, String tlsKeys) implements AutoCloseable {
    @Override
    public void close() {
      operator.close();
    }
  }

  /** Everything but starting the rig; the operator is left running for whatever the user applies next. */
  public static Running run(Rig rig, PrintStream out) throws IOException, InterruptedException {
    Instant start = Instant.now();
    KubernetesClient kube = rig.client();
    RigImages.Image image = rig.importOperatorImage();
    step(out, "helm install " + ChartOperator.RELEASE + " helm/quorum --namespace " + ChartOperator.NAMESPACE
        + " --wait   # the CRDs, and the operator's image " + image.reference() + " (built here, present on every node)");
    ChartOperator operator = ChartOperator.install(rig, ChartOperator.NAMESPACE, Map.of());
    out.print(kubectl(rig, "get", "pods", "-n", ChartOperator.NAMESPACE, "-o", "wide"));
    try {
      Path example = Path.of("deploy", "examples", "etcdcluster.yaml");
      step(out, "kubectl apply -f " + example);
      List<HasMetadata> objects = kube.load(Files.newInputStream(example)).items();
      objects.forEach(o -> kube.resource(o).inNamespace("default").serverSideApply());
      String name = objects.get(0).getMetadata().getName();

      step(out, "waiting for EtcdCluster " + name + " to become Available");
      awaitAvailable(kube, operator, name);
      out.printf("==> Available after %ds%n", Duration.between(start, Instant.now()).toSeconds());

      String etcdctl = rig.tools().etcdBinary(rig.tools().defaultEtcdVersion(), "etcdctl").toString();
      String endpoint = "--endpoints=http://" + name + "-client.default.svc.cluster.local:2379";
      step(out, "etcdctl put/get through the client Service " + name + "-client");
      for (Map.Entry<String, String> key : KEYS.entrySet()) {
        out.print(check(rig.runInCluster("default", Duration.ofSeconds(30), etcdctl, endpoint,
            "put", key.getKey(), key.getValue())).output());
      }
      out.print(check(rig.runInCluster("default", Duration.ofSeconds(30), etcdctl, endpoint,
          "get", "/demo/", "--prefix")).output());

      step(out, "kubectl get etcdclusters");
      out.print(kubectl(rig, "get", "etcdclusters", "-n", "default", "-o", "wide"));
      step(out, "etcdctl member list");
      String members = check(rig.runInCluster("default", Duration.ofSeconds(30), etcdctl, endpoint,
          "member", "list", "-w", "table")).output();
      out.print(members);

      EtcdBackup backup = backUp(rig, kube, name, operator, out);

      step(out, "etcdctl del /demo/ --prefix: the keys are gone from " + name);
      out.print(check(rig.runInCluster("default", Duration.ofSeconds(30), etcdctl, endpoint,
          "del", "/demo/", "--prefix")).output());
      EtcdRestore restore = restore(rig, kube, operator, out);
      String restoredEndpoint = "--endpoints=http://" + RESTORED + "-client.default.svc.cluster.local:2379";
      step(out, "etcdctl get /demo/ --prefix through the restored cluster's client Service " + RESTORED + "-client");
      String restoredKeys = check(rig.runInCluster("default", Duration.ofSeconds(30), etcdctl,
          restoredEndpoint, "get", "/demo/", "--prefix")).output();
      out.print(restoredKeys);
      String staticMembers = staticPods(rig, kube, operator, out);
      List<String> tlsFlags = new java.util.ArrayList<>();
      String tlsKeys = tls(rig, kube, operator, out, tlsFlags);
      step(out, "try it yourself:");
      out.println("    export KUBECONFIG=" + rig.controlPlane().kubeconfig());
      out.println("    " + rig.tools().kubeBinary("kubectl") + " get etcdclusters,pods,pvc,pdb");
      out.println("    " + rig.tools().kubeBinary("kubectl") + " apply -f deploy/examples/etcdcluster-ephemeral.yaml"
          + "   # the operator keeps running: more clusters are welcome");
      // every member by its pod address (this machine routes to every node's pods): your shell has no cluster DNS,
      // so --cluster (the members' advertised DNS names) would not resolve there
      String podEndpoints = kube.pods().inNamespace("default").withLabel("app.kubernetes.io/instance", name).list()
          .getItems().stream().map(p -> "http://" + p.getStatus().getPodIP() + ":2379").sorted()
          .collect(java.util.stream.Collectors.joining(","));
      out.println("    " + etcdctl + " --endpoints=" + podEndpoints + " endpoint status -w table");
      out.println("    " + rig.tools().kubeBinary("kubectl") + " get etcdbackups -o wide"
          + "   # another backup: copy " + BACKUP + " under a new name");
      out.println("    " + rig.tools().kubeBinary("kubectl") + " get etcdrestores -o wide"
          + "   # restore in place: an EtcdRestore with inPlace.confirmClusterName");
      out.println("    " + rig.tools().kubeBinary("kubectl") + " label node " + rig.nodeNames().get(0)
          + " " + STATIC_LABEL + "-   # two nodes out (or in) and " + STATIC + " shrinks (or grows) by two members");
      out.println("    " + rig.tools().kubeBinary("kubectl") + " delete secret " + TLS + "-ca"
          + "   # a new CA for " + TLS + ": three rolling restarts, watch status.tls and the pods");
      return new Running(operator, members, backup, restore, restoredKeys, staticMembers, tlsKeys);
    } catch (IOException | InterruptedException | RuntimeException e) {
      operator.close();
      throw e;
    }
  }

  static final String BACKUP = "demo-backup";
  static final String RESTORE = "demo-restore";
  /** The cluster the demo restores its backup into. */
  public static final String RESTORED = "demo-restored";
  /** What the demo writes before the backup, and reads back from the restored cluster. */
  public static final Map<String, String> KEYS = new java.util.LinkedHashMap<>(Map.of(
      "/demo/greeting", "hello from quorum", "/demo/answer", "42", "/demo/backed-up", "and restored"));

  /** An EtcdRestore of the demo's backup into a new cluster, as a user would apply it. */
  public static final String STATIC = "demo-static";
  /** The TLS cluster of deploy/examples/etcdcluster-tls.yaml. */
  public static final String TLS = "secure";
  /** The label deploy/examples/static-pod/etcdcluster.yaml selects nodes by. */
  public static final String STATIC_LABEL = "etcd.quorum.dev/demo-static";

  /**
   * A StaticPod-mode cluster on every node, with TLS: the operator's node agents write each member's certificates and
   * manifest onto its node (into its static pod directory), and the kubelet runs it with the node's network.
   */
  private static String staticPods(Rig rig, KubernetesClient kube, RunningOperator operator, PrintStream out)
      throws IOException, InterruptedException {
    step(out, "kubectl label nodes --all " + STATIC_LABEL + "=member   # each runs one static pod member");
    for (String node : rig.nodeNames()) {
      kube.nodes().withName(node).edit(n -> {
        n.getMetadata().getLabels().put(STATIC_LABEL, "member");
        return n;
      });
    }
    Path example = Path.of("deploy", "examples", "static-pod", "etcdcluster.yaml");
    step(out, "kubectl apply -f " + example);
    kube.load(Files.newInputStream(example)).items()
        .forEach(o -> kube.resource(o).inNamespace("default").serverSideApply());
    step(out, "waiting for EtcdCluster " + STATIC + " to become Available");
    awaitAvailable(kube, operator, STATIC);
    String etcdctl = rig.tools().etcdBinary(rig.tools().defaultEtcdVersion(), "etcdctl").toString();
    String endpoints = "--endpoints=" + kube.nodes().list().getItems().stream()
        .filter(n -> "member".equals(n.getMetadata().getLabels().get(STATIC_LABEL)))
        .flatMap(n -> n.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType())))
        .map(a -> "https://" + a.getAddress() + ":2379").sorted().collect(Collectors.joining(","));
    // TLS as kubeadm's etcd: the node agents put the members' certificate on the nodes, applications use the client
    // Secret
    Path certs = rig.dir().resolve("static-tls");
    List<String> certificate = TlsClusters.etcdctlFlags(kube, "default", STATIC, certs).subList(1, 4);
    step(out, "etcdctl member list over TLS at the nodes' addresses, with the client Secret " + STATIC
        + "-client-tls written to " + certs + "; the kubelet's mirror pods:");
    List<String> command = new java.util.ArrayList<>(List.of(etcdctl, endpoints));
    command.addAll(certificate);
    command.addAll(List.of("member", "list", "-w", "table"));
    String members = check(rig.runInCluster("default", Duration.ofSeconds(30),
        command.toArray(String[]::new))).output();
    out.print(members);
    out.print(kubectl(rig, "get", "pods", "-n", "default", "-l", "etcd.quorum.dev/cluster=" + STATIC, "-o", "wide"));
    return members;
  }

  /**
   * A TLS cluster: the operator's CA and certificates, etcdctl with the client Secret's certificate, and plain text
   * refused.
   *
   * @param flags filled with etcdctl's flags for the cluster's client Service and certificate
   */
  private static String tls(Rig rig, KubernetesClient kube, RunningOperator operator, PrintStream out,
      List<String> flags) throws IOException, InterruptedException {
    Path example = Path.of("deploy", "examples", "etcdcluster-tls.yaml");
    step(out, "kubectl apply -f " + example);
    kube.load(Files.newInputStream(example)).items()
        .forEach(o -> kube.resource(o).inNamespace("default").serverSideApply());
    step(out, "waiting for EtcdCluster " + TLS + " to become Available");
    awaitAvailable(kube, operator, TLS);
    Path certs = rig.dir().resolve("tls");
    step(out, "the client Secret " + TLS + "-client-tls written to " + certs + " (ca.crt, tls.crt, tls.key)");
    String etcdctl = rig.tools().etcdBinary(rig.tools().defaultEtcdVersion(), "etcdctl").toString();
    flags.addAll(TlsClusters.etcdctlFlags(kube, "default", TLS, certs));
    String endpoint = flags.get(0);
    step(out, "etcdctl put/get over TLS with that certificate");
    List<String> put = new java.util.ArrayList<>(List.of(etcdctl));
    put.addAll(flags);
    put.addAll(List.of("put", "/demo/tls", "only with a certificate"));
    out.print(check(rig.runInCluster("default", Duration.ofSeconds(30), put.toArray(String[]::new)))
        .output());
    List<String> get = new java.util.ArrayList<>(List.of(etcdctl));
    get.addAll(flags);
    get.addAll(List.of("get", "/demo/tls"));
    String keys = check(rig.runInCluster("default", Duration.ofSeconds(30), get.toArray(String[]::new)))
        .output();
    out.print(keys);
    step(out, "etcdctl without a certificate: refused");
    out.print(rig.runInCluster("default", Duration.ofSeconds(30), etcdctl, endpoint,
        "--cacert=" + certs.resolve("ca.crt"), "--dial-timeout=3s", "--command-timeout=5s", "get", "/demo/tls")
        .output().lines().limit(2).map(l -> "    " + l + "\n").collect(Collectors.joining()));
    step(out, "kubectl get etcdcluster " + TLS + " -o jsonpath='{.status.tls}'");
    out.println(kubectl(rig, "get", "etcdcluster", TLS, "-n", "default", "-o", "jsonpath={.status.tls}"));
    return keys;
  }

  private static EtcdRestore restore(Rig rig, KubernetesClient kube, RunningOperator operator, PrintStream out)
      throws IOException, InterruptedException {
    String manifest = """
        apiVersion: etcd.quorum.dev/v1alpha1
        kind: EtcdRestore
        metadata:
          name: %s
          namespace: default
        spec:
          source:
            backup: %s
          clusterName: %s
          clusterSpec:
            size: 3
            storage:
              size: 256Mi
        """.formatted(RESTORE, BACKUP, RESTORED);
    step(out, "restoring " + BACKUP + " into a new cluster " + RESTORED);
    out.print(manifest.lines().map(l -> "    " + l).collect(java.util.stream.Collectors.joining("\n", "", "\n")));
    kube.resource(kube.getKubernetesSerialization().unmarshal(manifest, EtcdRestore.class)).serverSideApply();
    await("EtcdRestore " + RESTORE + " finished").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> {
          operator.assertAlive();
          EtcdRestore current = kube.resources(EtcdRestore.class).inNamespace("default").withName(RESTORE).get();
          return current.getStatus() != null && current.getStatus().getPhase() != null
              && current.getStatus().getPhase().finished();
        });
    EtcdRestore done = kube.resources(EtcdRestore.class).inNamespace("default").withName(RESTORE).get();
    out.print(kubectl(rig, "get", "etcdrestores", "-n", "default"));
    out.printf("==> %s %s: %s%n", RESTORE, done.getStatus().getPhase(), done.getStatus().getMessage());
    if (done.getStatus().getPhase() != OperationPhase.Succeeded) {
      throw new IllegalStateException("the restore did not succeed: " + done.getStatus().getReason() + ": "
          + done.getStatus().getMessage());
    }
    return done;
  }

  /** An EtcdBackup of the cluster to the rig's S3 server, with the access key from a Secret, as a user would. */
  private static EtcdBackup backUp(Rig rig, KubernetesClient kube, String cluster, RunningOperator operator,
      PrintStream out) throws IOException, InterruptedException {
    S3Server s3 = rig.s3();
    String bucket = "demo-backups";
    step(out, "backing " + cluster + " up: bucket " + bucket + " on the rig's S3 server " + s3.endpoint());
    if (!s3.bucketExists(bucket)) {
      s3.createBucket(bucket);
    }
    kube.resource(new SecretBuilder().withNewMetadata().withName("demo-s3").withNamespace("default").endMetadata()
        .addToStringData("AWS_ACCESS_KEY_ID", s3.accessKey())
        .addToStringData("AWS_SECRET_ACCESS_KEY", s3.secretKey()).build()).serverSideApply();
    String manifest = """
        apiVersion: etcd.quorum.dev/v1alpha1
        kind: EtcdBackup
        metadata:
          name: %s
          namespace: default
        spec:
          clusterName: %s
          destination:
            s3:
              bucket: %s
              endpoint: %s
              forcePathStyle: true
              credentialsSecret:
                name: demo-s3
        """.formatted(BACKUP, cluster, bucket, s3.endpoint());
    out.print(manifest.lines().map(l -> "    " + l).collect(java.util.stream.Collectors.joining("\n", "", "\n")));
    kube.resource(kube.getKubernetesSerialization().unmarshal(manifest, EtcdBackup.class)).serverSideApply();
    await("EtcdBackup " + BACKUP + " finished").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> {
          operator.assertAlive();
          EtcdBackup current = kube.resources(EtcdBackup.class).inNamespace("default").withName(BACKUP).get();
          return current.getStatus() != null && current.getStatus().getPhase() != null
              && current.getStatus().getPhase().finished();
        });
    EtcdBackup done = kube.resources(EtcdBackup.class).inNamespace("default").withName(BACKUP).get();
    EtcdBackupStatus status = done.getStatus();
    out.print(kubectl(rig, "get", "etcdbackups", "-n", "default"));
    out.printf("==> %s %s: %s%n", BACKUP, status.getPhase(), status.getMessage());
    if (status.getPhase() != OperationPhase.Succeeded) {
      throw new IllegalStateException("the backup did not succeed: " + status.getReason() + ": " + status.getMessage());
    }
    out.printf("    %s  %d bytes  revision %d  sha256 %s%n", status.getLocation(), status.getSizeBytes(),
        status.getRevision(), status.getSha256());
    return done;
  }

  /** Available with every member ready: Available alone comes with a quorum, and the demo shows the whole cluster. */
  private static void awaitAvailable(KubernetesClient kube, RunningOperator operator, String name) {
    Clusters.awaitAvailable(kube, "default", name, operator);
  }

  public static boolean isAvailable(GenericKubernetesResource cluster) {
    if (cluster == null || !(cluster.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
      return false;
    }
    return status.get("conditions") instanceof List<?> conditions && conditions.stream()
        .anyMatch(c -> c instanceof Map<?, ?> m && "Available".equals(m.get("type")) && "True".equals(m.get("status")));
  }

  private static ClientResult check(ClientResult result) {
    if (result.exitCode() != 0) {
      throw new IllegalStateException("etcdctl failed (" + result.exitCode() + "):\n" + result.output());
    }
    return result;
  }

  private static String kubectl(Rig rig, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of(rig.tools().kubeBinary("kubectl").toString(),
        "--kubeconfig=" + rig.controlPlane().kubeconfig()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    p.waitFor(30, TimeUnit.SECONDS);
    return output;
  }
}
