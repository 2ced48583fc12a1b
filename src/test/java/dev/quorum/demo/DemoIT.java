package dev.quorum.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.EtcdBackup;
import dev.quorum.api.v1alpha1.EtcdBackupStatus;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.rig.RigAddresses;
import dev.quorum.rig.RigSession;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The README's demo, as a user runs it: to Available, a write and read through the client Service, the member
 * list; then, while the demo is up, a second cluster applied by the user gets its members too.
 */
// alone: the demo installs an operator that watches every namespace, and labels every node
@Isolated
class DemoIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();

  @Test
  void demoRunsToAvailableAndKeepsServingNewClusters() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(new TeeOutputStream(buffer, System.out), true, StandardCharsets.UTF_8);
    KubernetesClient kube = RIG.client();
    List<HasMetadata> second = kube.load(Files.newInputStream(Path.of("deploy/examples/etcdcluster-ephemeral.yaml")))
        .items();
    try (Demo.Running demo = Demo.run(RIG.rig(), out)) {
      assertThat(demo.members().lines().filter(l -> l.contains("started") && l.contains("demo-"))).hasSize(3);
      String printed = buffer.toString(StandardCharsets.UTF_8);
      assertThat(printed).contains("==> Available after").contains("hello from quorum")
          .containsPattern("demo\\s+3\\s+3\\s+3\\.6\\.16");

      // the backup the demo took is in the bucket, with the checksum its status reports
      EtcdBackupStatus backup = demo.backup().getStatus();
      assertThat(printed).contains("demo-backup Succeeded");
      try (S3Client s3 = RIG.rig().s3().client();
          InputStream object = s3.getObject(b -> b.bucket("demo-backups").key("default/demo/demo-backup.db"))) {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        long size = 0;
        byte[] chunk = new byte[1 << 16];
        for (int n; (n = object.read(chunk)) > 0; size += n) {
          sha256.update(chunk, 0, n);
        }
        assertThat(size).isEqualTo(backup.getSizeBytes());
        assertThat(HexFormat.of().formatHex(sha256.digest())).isEqualTo(backup.getSha256());
      }

      // the keys written before the backup and deleted after it, read back from the restored cluster
      assertThat(printed).contains("demo-restore Succeeded");
      Demo.KEYS.forEach((key, value) -> assertThat(demo.restoredKeys()).contains(key + "\n" + value + "\n"));
      assertThat(demo.restore().getStatus().getSnapshotRevision()).isEqualTo(backup.getRevision());
      assertThat(demo.restore().getStatus().getRestoredRevision())
          .isEqualTo(backup.getRevision() + dev.quorum.api.v1alpha1.SnapshotSource.DEFAULT_BUMP_REVISION);

      // a StaticPod-mode cluster: one member per node, named after it
      assertThat(demo.staticMembers().lines()
          .filter(l -> l.contains("started") && l.contains(Demo.STATIC + "-" + RigAddresses.NODE_PREFIX)))
          .hasSize(RIG.rig().nodeNames().size());

      // a TLS cluster: etcdctl with the client Secret's certificate reads back what it wrote; plain text is refused
      assertThat(demo.tlsKeys()).contains("/demo/tls\nonly with a certificate\n");
      assertThat(printed).contains("\"secretName\":\"secure-tls\"");

      // the demo is up: what the user applies now is served by the same operator
      second.forEach(o -> kube.resource(o).inNamespace("default").serverSideApply());
      String name = second.get(0).getMetadata().getName();
      await(name + " Available while the demo is up").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
          .until(() -> {
            assertThat(demo.operator().isAlive()).as("the demo's operator is running").isTrue();
            return Demo.isAvailable(kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace("default")
                .withName(name).get());
          });
    } finally {
      out.close();
      kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace("default").withName("demo").delete();
      kube.resources(EtcdBackup.class).inNamespace("default").withName("demo-backup").delete();
      kube.resources(EtcdRestore.class).inNamespace("default").withName("demo-restore").delete();
      kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace("default").withName(Demo.RESTORED).delete();
      kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace("default").withName(Demo.TLS).delete();
      second.forEach(o -> kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace("default")
          .withName(o.getMetadata().getName()).delete());
      // the static members hold the nodes' ports: gone before the next test uses them
      kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace("default").withName(Demo.STATIC).delete();
      await(Demo.STATIC + "'s members stopped").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
          .until(() -> kube.pods().inNamespace("default").withLabel("etcd.quorum.dev/cluster", Demo.STATIC).list()
              .getItems().isEmpty());
      RIG.rig().nodeNames().forEach(node -> kube.nodes().withName(node).edit(n -> {
        n.getMetadata().getLabels().remove(Demo.STATIC_LABEL);
        return n;
      }));
    }
  }

  /** Shows the demo's output in the test log and keeps it for the assertions. */
  private static final class TeeOutputStream extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    TeeOutputStream(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws java.io.IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }
  }
}
