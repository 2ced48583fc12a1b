package dev.quorum.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderCommandTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int render(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "render";
    System.arraycopy(args, 0, all, 1, args.length);
    return RenderCommand.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void staticPodManifestsNameEveryPeerAndStartANewCluster(@TempDir Path dir) throws Exception {
    assertThat(render("--peers", "cp-1=10.0.0.1,cp-2=10.0.0.2,cp-3=10.0.0.3", "--out", dir.toString())).isZero();

    Pod pod = Serialization.unmarshal(Files.readString(dir.resolve("cp-2/etcd.yaml")), Pod.class);
    assertThat(pod.getMetadata().getName()).isEqualTo("etcd");
    assertThat(pod.getMetadata().getNamespace()).isEqualTo("kube-system");
    assertThat(pod.getSpec().getHostNetwork()).isTrue();
    assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo("quay.io/coreos/etcd:v3.6.16");
    assertThat(pod.getSpec().getContainers().get(0).getCommand()).contains("etcd", "--name=cp-2",
        "--initial-cluster=cp-1=http://10.0.0.1:2380,cp-2=http://10.0.0.2:2380,cp-3=http://10.0.0.3:2380",
        "--initial-cluster-state=new", "--advertise-client-urls=http://10.0.0.2:2379",
        "--data-dir=/var/lib/etcd", "--listen-metrics-urls=http://10.0.0.2:2381");
    assertThat(pod.getSpec().getVolumes().get(0).getHostPath().getPath()).isEqualTo("/var/lib/etcd");
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()))
          .containsExactlyInAnyOrder("cp-1/etcd.yaml", "cp-2/etcd.yaml", "cp-3/etcd.yaml");
    }
  }

  @Test
  void systemdUnitsRunEtcdWithTlsWhenAsked() {
    assertThat(render("--peers", "a=h1.example,b=h2.example,c=h3.example", "--format", "systemd", "--tls-dir",
        "/etc/etcd/pki", "--etcd-binary", "/opt/etcd/etcd")).isZero();

    String units = out.toString(StandardCharsets.UTF_8);
    assertThat(units).contains("# etcd-a.service", "# etcd-b.service", "# etcd-c.service")
        .contains("ExecStart=/opt/etcd/etcd \\\n  --name=a")
        .contains("--listen-client-urls=https://h1.example:2379")
        .contains("--cert-file=/etc/etcd/pki/server.crt").contains("--peer-client-cert-auth=true")
        .contains("Type=notify").contains("WantedBy=multi-user.target");
  }

  @Test
  void badInputEndsWithExitCode2AMessageAndNoFile(@TempDir Path dir) throws Exception {
    assertThat(render("--peers", "a=10.0.0.1,a=10.0.0.2", "--out", dir.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("quorum render: peer name 'a' appears twice")
        .contains("(got 2)").contains("usage: quorum render");
    assertThat(render("--peers", "a=1.1.1.1,b=1.1.1.2,c=1.1.1.3", "--format", "ansible", "--data-dir", "rel",
        "--out", dir.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--format must be static-pod or systemd")
        .contains("--data-dir must be an absolute path");
    assertThat(render("--peers", "a=1.1.1.1,b=1.1.1.2,c=1.1.1.3", "--colour", "red")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option --colour");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).as("nothing written").isEmpty();
    }
  }
}
