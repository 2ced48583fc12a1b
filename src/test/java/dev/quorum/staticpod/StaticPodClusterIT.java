package dev.quorum.staticpod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorum.api.v1alpha1.ClusterMode;
import dev.quorum.api.v1alpha1.ClusterTls;
import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.RecoverySource;
import dev.quorum.api.v1alpha1.StaticPodSettings;
import dev.quorum.model.Annotations;
import dev.quorum.rig.ChartOperator;
import dev.quorum.rig.ClientResult;
import dev.quorum.rig.Rig;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.TestBackups;
import dev.quorum.testing.TestEtcd;
import dev.quorum.testing.TestRestores;
import dev.quorum.testing.TlsClusters;
import dev.quorum.tls.CertificateChecks;
import dev.quorum.tls.ClusterCertificates;
import dev.quorum.tls.Pem;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * An EtcdCluster in StaticPod mode on the rig: its members are static pods a node's kubelet runs from the manifests
 * the operator's node agents (a DaemonSet of the operator's image) write into each selected node's manifest directory,
 * with host networking at the node's address. It forms a real etcd cluster, is backed up to the rig's S3 server and
 * restored in place from that backup, and grows from three nodes to five as nodes are labelled in, one member at a
 * time, and shrinks back as they are labelled out. Deleted, it leaves no member running.
 */
// static members take the nodes' etcd ports, and nodes are labelled for them (no other class places pods by those
// labels): one static-pod class at a time
@ResourceLock(RigSession.NODES_STATIC_PODS)
class StaticPodClusterIT {

  @RegisterExtension
  // static pods and the node agent write host directories: the privileged level, as README says
  static final RigSession RIG = RigSession.privileged().withOperator(Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s"));
  static final ObjectMapper JSON = new ObjectMapper();
  static final String CLUSTER = "kubeadm";
  static String ns;
  static String selectorKey;
  static KubernetesClient kube;
  static Rig kubelet;
  static ChartOperator operator;

  @BeforeAll
  static void operator() {
    ns = RIG.namespace();
    kube = RIG.client();
    kubelet = RIG.rig();
    RIG.installQuorumCrds();
    // a label of this test's own, so no other test's nodes are taken
    selectorKey = "static-pod-it.quorum.dev/" + ns;
    operator = RIG.operator();
  }

  @AfterAll
  static void cleanUp() {
    if (kube != null) {
      kubelet.nodeNames().forEach(node -> label(node, false));
    }
  }

  /**
   * Whatever a test left (it failed halfway, say) goes before the next one: the members hold the nodes' ports, and
   * the nodes' labels pick the members.
   */
  @AfterEach
  void removeClusters() {
    kube.resources(EtcdCluster.class).inNamespace(ns).delete();
    await("every member of this test stopped").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> kube.pods().inNamespace(ns).list().getItems().isEmpty());
    kubelet.nodeNames().forEach(node -> label(node, false));
  }

  @Test
  void formsOnThreeNodesIsBackedUpAndRestoredAndGrowsToFiveAndBackOneNodeAtATime() throws Exception {
    List<String> nodes = kubelet.nodeNames();
    assertThat(nodes).hasSizeGreaterThanOrEqualTo(5);
    nodes.subList(0, 3).forEach(node -> label(node, true));
    kube.resource(cluster()).create();

    awaitMembers(nodes.subList(0, 3));
    for (String node : nodes.subList(0, 3)) {
      Path manifest = kubelet.staticPodDirectory(node).resolve("quorum-" + ns + "_" + CLUSTER + ".yaml");
      assertThat(manifest).as("the agent wrote the manifest on " + node).isRegularFile();
      assertThat(Files.readString(manifest)).contains("--initial-cluster-state=new", "hostNetwork: true",
          "--listen-client-urls=http://" + address(node) + ":2379");
      Pod mirror = kube.pods().inNamespace(ns).withName(CLUSTER + "-" + node).get();
      assertThat(mirror.getMetadata().getAnnotations()).containsKey(Annotations.MIRROR);
    }
    assertThat(kube.policy().v1().podDisruptionBudget().inNamespace(ns).withName(CLUSTER).get())
        .as("static pods are not evicted: no budget").isNull();
    ClientResult put = etcdctl(nodes.subList(0, 3), "put", "/static/key", "kept");
    assertThat(put.output()).as(put.output()).contains("OK");

    // a backup reaches the members at their node addresses
    EtcdBackupStatus backup = TestBackups.backUpToNewBucket(kube, RIG.rig().s3(), ns, "static-backup", CLUSTER, operator);
    assertThat(backup.getPhase()).as(backup.getMessage()).isEqualTo(OperationPhase.Succeeded);
    assertThat(backup.getSizeBytes()).isPositive();

    // restored in place: the manifests go, each member's snapshot is fetched by a pod on its node into a fresh data
    // directory, the manifests come back with the restore steps, and the backed-up keys are what the cluster holds
    assertThat(etcdctl(nodes.subList(0, 3), "put", "/static/key", "changed").output()).contains("OK");
    assertThat(etcdctl(nodes.subList(0, 3), "put", "/static/after", "1").output()).contains("OK");
    TestRestores.createInPlace(kube, ns, "static-in-place", CLUSTER, TestRestores.fromBackup("static-backup"));
    EtcdRestoreStatus restored = TestRestores.awaitFinished(kube, ns, "static-in-place", operator);
    assertThat(restored.getPhase()).as(restored.getMessage()).isEqualTo(OperationPhase.Succeeded);
    awaitMembers(nodes.subList(0, 3));
    assertThat(etcdctl(nodes.subList(0, 3), "get", "/static/key", "--print-value-only").output()).contains("kept");
    assertThat(etcdctl(nodes.subList(0, 3), "get", "/static/after", "--print-value-only").output().strip())
        .as("a key written after the backup is gone").isEmpty();
    String restoreId = kube.resources(EtcdRestore.class).inNamespace(ns).withName("static-in-place").get()
        .getMetadata().getUid().substring(0, 8);
    assertThat(Files.readString(kubelet.staticPodDirectory(nodes.get(0))
        .resolve("quorum-" + ns + "_" + CLUSTER + ".yaml"))).contains("data-" + CLUSTER + "-" + nodes.get(0) + "-"
            + restoreId);
    await("the fetch pods removed once every member installed the snapshot").atMost(Duration.ofSeconds(30))
        .until(() -> kube.pods().inNamespace(ns).list().getItems().stream()
            .noneMatch(p -> p.getMetadata().getName().startsWith("fetch-")));

    // two nodes labelled in: each joins as a learner, is recorded, started and promoted, one after the other
    label(nodes.get(3), true);
    label(nodes.get(4), true);
    awaitMembers(nodes.subList(0, 5));
    assertThat(reasons()).contains("MemberAdded", "MemberRecorded", "MemberPromoted");
    assertThat(daemonSetNodes()).containsExactlyInAnyOrderElementsOf(nodes.subList(0, 5));
    String joined = Files.readString(kubelet.staticPodDirectory(nodes.get(4))
        .resolve("quorum-" + ns + "_" + CLUSTER + ".yaml"));
    assertThat(joined).contains("--initial-cluster-state=existing");

    // and labelled out again: each leaves through etcd, then its manifest, pod and record go
    label(nodes.get(3), false);
    label(nodes.get(4), false);
    awaitMembers(nodes.subList(0, 3));
    assertThat(reasons()).contains("MemberRemoved", "MemberRetired");
    await("the manifests of the nodes that left removed").atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          for (String node : nodes.subList(3, 5)) {
            assertThat(kubelet.staticPodDirectory(node).resolve("quorum-" + ns + "_" + CLUSTER + ".yaml"))
                .doesNotExist();
            assertThat(kube.pods().inNamespace(ns).withName(CLUSTER + "-" + node).get()).isNull();
          }
          assertThat(kube.configMaps().inNamespace(ns).withName(CLUSTER + "-members").get().getData())
              .containsOnlyKeys(nodes.subList(0, 3).stream().map(n -> CLUSTER + "-" + n).toList());
          assertThat(daemonSetNodes()).containsExactlyInAnyOrderElementsOf(nodes.subList(0, 3));
        });
    ClientResult get = etcdctl(nodes.subList(0, 3), "get", "/static/key", "--print-value-only");
    assertThat(get.output()).as("an acknowledged write survives the changes").contains("kept");

    // deleted: the manifests go before the agents, which remove them from the nodes, so no member keeps running
    kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).delete();
    await("the members stopped and the agents gone").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          for (String node : nodes) {
            assertThat(kubelet.staticPodDirectory(node).resolve("quorum-" + ns + "_" + CLUSTER + ".yaml"))
                .doesNotExist();
          }
          assertThat(kube.pods().inNamespace(ns).list().getItems()).isEmpty();
          assertThat(kube.apps().daemonSets().inNamespace(ns).list().getItems()).isEmpty();
        });
  }

  /**
   * A node's kubelet restarts (an update, a crash): the static pod member keeps running meanwhile and the kubelet
   * adopts it when it is back, so etcd's membership does not change and the cluster stays Available throughout.
   */
  @Test
  void aNodesKubeletRestartChangesNoMembership() throws Exception {
    List<String> nodes = kubelet.nodeNames().subList(0, 3);
    nodes.forEach(node -> label(node, true));
    kube.resource(cluster()).create();
    awaitMembers(nodes);
    String before = memberIds(nodes);
    assertThat(etcdctl(nodes, "put", "/static/kubelet", "restarted").output()).contains("OK");
    List<String> notAvailable = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread watch = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        EtcdCluster current = kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).get();
        current.getStatus().condition("Available").filter(c -> !"True".equals(c.getStatus()))
            .ifPresent(c -> notAvailable.add(c.getReason() + ": " + c.getMessage()));
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    watch.start();
    try {
      kubelet.nodes().node(nodes.get(1)).restartKubelet();
      await("the kubelet of " + nodes.get(1) + " back, its node Ready").atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(500)).until(() -> dev.quorum.rig.RigNodes.isReady(
              kube.nodes().withName(nodes.get(1)).get()) && kubelet.nodes().node(nodes.get(1)).kubeletRunning());
      awaitMembers(nodes);
    } finally {
      watch.interrupt();
      watch.join(5_000);
    }
    assertThat(memberIds(nodes)).as("the same members, none replaced").isEqualTo(before);
    assertThat(notAvailable).as("times the cluster was not Available").isEmpty();
    assertThat(reasons()).doesNotContain("MemberRemoved", "MemberAdded", "MemberDiscarded");
    assertThat(etcdctl(nodes, "get", "/static/kubelet", "--print-value-only").output()).contains("restarted");
  }

  /**
   * Two members' data broken on their nodes for good (their directories unreadable, the processes killed): quorum is
   * lost, and an EtcdRecovery from the survivor brings three voters back with every key. The others' manifests are
   * taken away before the survivor is forced; each comes back as a new member in a fresh data directory, the broken one
   * left on its node untouched.
   */
  @Test
  void twoMembersDataBrokenOnTheirNodesIsRecoveredFromTheSurvivorOnRequest() throws Exception {
    // a name of its own: a StaticPod cluster's data directories stay on the nodes, and these are left broken
    String name = "recovered";
    Connection connection = new Connection(name, "http", List.of());
    List<String> nodes = kubelet.nodeNames().subList(0, 3);
    nodes.forEach(node -> label(node, true));
    kube.resource(cluster(name, null)).create();
    awaitMembers(connection, nodes);
    String survivor = nodes.get(2);
    try (TestEtcd etcd = TestEtcd.at(kube, ns, name + "-" + survivor)) {
      etcd.putKeys("/kept/", 100);
    }
    Map<String, String> brokenData = new java.util.TreeMap<>();
    for (String node : nodes.subList(0, 2)) {
      Pod mirror = kube.pods().inNamespace(ns).withName(name + "-" + node).get();
      brokenData.put(node, mirror.getSpec().getVolumes().stream().filter(v -> v.getHostPath() != null
          && v.getName().equals("data")).findFirst().orElseThrow().getHostPath().getPath());
      kubelet.faults().breakContainer(ns, name + "-" + node, "etcd", Duration.ofMinutes(10));
    }

    await("QuorumLost, naming the survivor").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
        .until(() -> kube.resources(EtcdCluster.class).inNamespace(ns).withName(name).get().getStatus()
            .condition("Degraded").filter(c -> c.getMessage().contains("recover from the best survivor " + name
                + "-" + survivor)).isPresent());
    EtcdRecovery recovery = new EtcdRecovery();
    recovery.setMetadata(new ObjectMetaBuilder().withName("from-survivor").withNamespace(ns).build());
    recovery.getSpec().setClusterName(name);
    recovery.getSpec().setConfirmClusterName(name);
    recovery.getSpec().setFrom(RecoverySource.Survivor);
    kube.resource(recovery).create();

    EtcdRecovery done = await("the recovery finished").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          operator.assertAlive();
          return kube.resources(EtcdRecovery.class).inNamespace(ns).withName("from-survivor").get();
        }, r -> r.getStatus() != null && r.getStatus().getPhase() != null && r.getStatus().getPhase().finished());
    assertThat(done.getStatus().getPhase()).as(done.getStatus().getMessage()).isEqualTo(OperationPhase.Succeeded);
    assertThat(done.getStatus().getSurvivor()).isEqualTo(name + "-" + survivor);
    assertThat(done.getStatus().getMembers()).containsExactlyInAnyOrder(name + "-" + nodes.get(0),
        name + "-" + nodes.get(1));
    awaitMembers(connection, nodes);
    for (String node : nodes) {
      try (TestEtcd etcd = TestEtcd.at(kube, ns, name + "-" + node)) {
        assertThat(etcd.read("/kept/")).as(node).isEqualTo(TestEtcd.expected("/kept/", 100));
      }
    }
    for (Map.Entry<String, String> broken : brokenData.entrySet()) {
      Pod mirror = kube.pods().inNamespace(ns).withName(name + "-" + broken.getKey()).get();
      String data = mirror.getSpec().getVolumes().stream().filter(v -> v.getName().equals("data")).findFirst()
          .orElseThrow().getHostPath().getPath();
      assertThat(data).as("a fresh data directory on " + broken.getKey()).isNotEqualTo(broken.getValue())
          .startsWith(broken.getValue() + "-");
      assertThat(kubelet.nodeHostPath(broken.getKey(), broken.getValue())).as("the broken data left on its node")
          .isDirectory();
    }
    assertThat(reasons(name)).contains("QuorumLost", "RecoveryStarted", "RecoveryStoppedMembers",
        "RecoveryForcingNewCluster", "RecoverySurvivorAlone", "RecoveryHandedOver", "Recovered");
  }

  /** etcd's member list as {@code name=id} lines, sorted: what changes when a member is replaced. */
  private static String memberIds(List<String> nodes) {
    return etcdctl(nodes, "member", "list").output().lines().filter(l -> l.contains(", started, "))
        .map(l -> l.split(",\\s*")[2] + "=" + l.split(",\\s*")[0]).sorted().collect(Collectors.joining("\n"));
  }

  /**
   * TLS in StaticPod mode: a static pod cannot mount the members' Secret, so each node's agent puts the certificates
   * in the cluster's directory on its node (readable by root only) before the manifest. The certificate names the
   * nodes' addresses, where members, the operator and clients reach each other. A client without a certificate is
   * refused; a backup goes over TLS; a renewed certificate and two nodes joining (the certificate issued again for
   * their addresses) restart no member; and deleted, the cluster leaves no key on a node.
   */
  @Test
  void aTlsClusterGetsItsCertificatesFromTheAgentsAndTakesRenewalsAndJoinsWithoutRestarts() throws Exception {
    String name = "kubeadm-tls";
    List<String> nodes = kubelet.nodeNames().subList(0, 3);
    nodes.forEach(node -> label(node, true));
    kube.resource(cluster(name, new ClusterTls())).create();
    Path certs = Path.of("target", "static-pod-it", name);
    await("the client certificate issued").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
        .until(() -> kube.secrets().inNamespace(ns).withName(name + "-client-tls").get() != null);
    List<String> flags = TlsClusters.etcdctlFlags(kube, ns, name, certs).subList(1, 4);
    Connection tls = new Connection(name, "https", flags);
    awaitMembers(tls, nodes);
    String tlsDirectory = "/var/lib/quorum/" + ns + "/" + name + "/tls";
    for (String node : nodes) {
      String manifest = Files.readString(kubelet.staticPodDirectory(node).resolve("quorum-" + ns + "_" + name
          + ".yaml"));
      assertThat(manifest).contains("--listen-client-urls=https://" + address(node) + ":2379",
          "--client-cert-auth=true", "--peer-client-cert-auth=true", tlsDirectory);
      Path onNode = kubelet.nodeHostPath(node, tlsDirectory);
      assertThat(Files.readString(onNode.resolve("tls.crt"))).as("the agent put the certificate on " + node)
          .contains("BEGIN CERTIFICATE");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(onNode.resolve("tls.key"))))
          .isEqualTo("rw-------");
    }
    X509Certificate issued = Pem.readCertificate(ClusterCertificates.decoded(
        kube.secrets().inNamespace(ns).withName(name + "-tls").get().getData()).get(ClusterCertificates.CERT));
    assertThat(CertificateChecks.ipAddresses(issued)).as("the nodes' addresses")
        .containsAll(nodes.stream().map(StaticPodClusterIT::address).toList());

    ClientResult put = etcdctl(tls, nodes, "put", "/static/tls", "kept");
    assertThat(put.output()).as(put.output()).contains("OK");
    ClientResult noCertificate = etcdctl(new Connection(name, "https", flags.subList(0, 1)), nodes,
        "get", "/static/tls", "--dial-timeout=3s");
    assertThat(noCertificate.exitCode()).as(noCertificate.output()).isNotZero();
    assertThat(noCertificate.output()).doesNotContain("kept");
    ClientResult plain = etcdctl(new Connection(name, "http", List.of()), nodes, "get", "/static/tls",
        "--dial-timeout=3s");
    assertThat(plain.output()).as("plain text is refused").doesNotContain("kept");

    EtcdBackupStatus backup = TestBackups.backUpToNewBucket(kube, RIG.rig().s3(), ns, "static-tls-backup", name,
        operator);
    assertThat(backup.getPhase()).as(backup.getMessage()).isEqualTo(OperationPhase.Succeeded);

    // a certificate renewed by the same CA: the agents put it under the running members, who present it at their
    // next handshake; none restarts
    Map<String, String> running = mirrorPodUids(name, nodes);
    kube.secrets().inNamespace(ns).withName(name + "-tls").delete();
    X509Certificate renewed = await("a renewed certificate served by every member").atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
          operator.assertAlive();
          X509Certificate current = memberCertificate(name);
          return nodes.stream().allMatch(node -> current.equals(servedCertificate(name, address(node))))
              ? current : null;
        }, java.util.Objects::nonNull);
    assertThat(renewed).isNotEqualTo(issued);
    assertThat(mirrorPodUids(name, nodes)).as("no member restarted").isEqualTo(running);
    assertThat(etcdctl(tls, nodes, "get", "/static/tls", "--print-value-only").output()).contains("kept");

    // two nodes join: the certificate is issued again for their addresses, and they start with it; the members
    // running take it without a restart
    List<String> five = kubelet.nodeNames().subList(0, 5);
    label(five.get(3), true);
    label(five.get(4), true);
    awaitMembers(tls, five);
    assertThat(CertificateChecks.ipAddresses(memberCertificate(name)))
        .containsAll(five.stream().map(StaticPodClusterIT::address).toList());
    assertThat(mirrorPodUids(name, nodes)).as("no member restarted for a node joining").isEqualTo(running);
    for (String node : five) {
      assertThat(servedCertificate(name, address(node))).as(node).isEqualTo(memberCertificate(name));
    }
    assertThat(etcdctl(tls, five, "get", "/static/tls", "--print-value-only").output()).contains("kept");

    kube.resources(EtcdCluster.class).inNamespace(ns).withName(name).delete();
    await("the members stopped and no key left on a node").atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          for (String node : five) {
            assertThat(kubelet.staticPodDirectory(node).resolve("quorum-" + ns + "_" + name + ".yaml"))
                .doesNotExist();
            assertThat(kubelet.nodeHostPath(node, tlsDirectory).resolve("tls.key")).doesNotExist();
            assertThat(kubelet.nodeHostPath(node, tlsDirectory).resolve("..data")).doesNotExist();
          }
          assertThat(kube.apps().daemonSets().inNamespace(ns).withName(name + "-node-agent").get()).isNull();
        });
  }

  private static X509Certificate memberCertificate(String cluster) {
    return Pem.readCertificate(ClusterCertificates.decoded(kube.secrets().inNamespace(ns).withName(cluster + "-tls")
        .get().getData()).get(ClusterCertificates.CERT));
  }

  private static Map<String, String> mirrorPodUids(String cluster, List<String> nodes) {
    return nodes.stream().collect(Collectors.toMap(node -> node,
        node -> kube.pods().inNamespace(ns).withName(cluster + "-" + node).get().getMetadata().getUid()));
  }

  /** The certificate a member serves at its node's address, to a client with the cluster's client certificate. */
  private static X509Certificate servedCertificate(String cluster, String address) {
    Map<String, String> client = ClusterCertificates.decoded(kube.secrets().inNamespace(ns)
        .withName(cluster + "-client-tls").get().getData());
    try {
      char[] password = "client".toCharArray();
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("client", Pem.readPrivateKey(client.get(ClusterCertificates.KEY)), password,
          Pem.readCertificates(client.get(ClusterCertificates.CERT)).toArray(X509Certificate[]::new));
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, password);
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      List<X509Certificate> authorities = Pem.readCertificates(client.get(ClusterCertificates.CA_CERT));
      for (int i = 0; i < authorities.size(); i++) {
        trusted.setCertificateEntry("ca-" + i, authorities.get(i));
      }
      TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address, 2379)) {
        socket.setSoTimeout(5000);
        socket.startHandshake();
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
      }
    } catch (Exception e) {
      throw new IllegalStateException("no TLS handshake with " + address + ": " + e.getMessage(), e);
    }
  }

  private static EtcdCluster cluster() {
    return cluster(CLUSTER, null);
  }

  private static EtcdCluster cluster(String name, ClusterTls tls) {
    StaticPodSettings staticPod = new StaticPodSettings();
    staticPod.setNodeSelector(Map.of(selectorKey, "member"));
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setMode(ClusterMode.StaticPod);
    spec.setStaticPod(staticPod);
    spec.setTls(tls);
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    cluster.setSpec(spec);
    return cluster;
  }

  private static void label(String node, boolean member) {
    kube.nodes().withName(node).edit(n -> {
      if (member) {
        n.getMetadata().getLabels().put(selectorKey, "member");
      } else {
        n.getMetadata().getLabels().remove(selectorKey);
      }
      return n;
    });
  }

  private static String address(String node) {
    return kube.nodes().withName(node).get().getStatus().getAddresses().stream()
        .filter(a -> "InternalIP".equals(a.getType())).findFirst().orElseThrow().getAddress();
  }

  private static List<String> daemonSetNodes() {
    DaemonSet agent = kube.apps().daemonSets().inNamespace(ns).withName(CLUSTER + "-node-agent").get();
    return agent.getSpec().getTemplate().getSpec().getAffinity().getNodeAffinity()
        .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().stream()
        .flatMap(term -> term.getMatchFields().stream()).flatMap(f -> f.getValues().stream()).toList();
  }

  /** How a client reaches a cluster's members at their nodes' addresses: plain, or with TLS flags for etcdctl. */
  record Connection(String cluster, String scheme, List<String> flags) {
    static final Connection PLAIN = new Connection(CLUSTER, "http", List.of());
  }

  private static ClientResult etcdctl(List<String> nodes, String... args) {
    return etcdctl(Connection.PLAIN, nodes, args);
  }

  private static ClientResult etcdctl(Connection connection, List<String> nodes, String... args) {
    List<String> all = new ArrayList<>();
    all.add("--endpoints=" + nodes.stream().map(n -> connection.scheme() + "://" + address(n) + ":2379")
        .collect(Collectors.joining(",")));
    all.addAll(connection.flags());
    all.addAll(List.of(args));
    return RIG.etcdctl(all.toArray(String[]::new));
  }

  private static void awaitMembers(List<String> nodes) {
    awaitMembers(Connection.PLAIN, nodes);
  }

  /** Waits until etcd lists exactly the members of these nodes, all started voters, and the status has settled. */
  private static void awaitMembers(Connection connection, List<String> nodes) {
    String cluster = connection.cluster();
    List<String> names = nodes.stream().map(n -> cluster + "-" + n).toList();
    await(cluster + " on " + nodes).atMost(Duration.ofMinutes(2L * nodes.size())).pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          if (!operator.isAlive()) {
            throw new IllegalStateException("the operator exited:\n" + operator.logTail(40));
          }
          EtcdCluster c = kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).get();
          boolean settled = c != null && c.getStatus() != null && c.getStatus().getOperation() == null
              && c.getStatus().getReadyMembers() == nodes.size() && c.getStatus().getConditions().stream()
                  .anyMatch(x -> ConditionTypes.AVAILABLE.equals(x.getType()) && "True".equals(x.getStatus()));
          if (!settled) {
            return false;
          }
          List<JsonNode> members = memberList(connection, nodes);
          return members.stream().map(m -> m.path("name").asText()).sorted().toList()
              .equals(names.stream().sorted().toList())
              && members.stream().noneMatch(m -> m.path("isLearner").asBoolean(false));
        });
  }

  private static List<JsonNode> memberList(Connection connection, List<String> nodes) {
    try {
      JsonNode members = JSON.readTree(etcdctl(connection, nodes, "member", "list", "-w", "json").output())
          .path("members");
      List<JsonNode> list = new ArrayList<>();
      members.forEach(list::add);
      return list;
    } catch (Exception e) {
      return List.of();
    }
  }

  private static List<String> reasons() {
    return reasons(CLUSTER);
  }

  private static List<String> reasons(String cluster) {
    // by uid: the tests use one name, and events of an earlier test's cluster outlive it
    String uid = kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).get().getMetadata().getUid();
    return kube.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> uid.equals(e.getInvolvedObject().getUid()))
        .map(e -> e.getReason()).toList();
  }
}
