package dev.quorum.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.rig.ManagedProcess;
import dev.quorum.rig.Rig;
import dev.quorum.rig.RigSession;
import dev.quorum.rig.Tools;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What {@code quorum render} writes works: three systemd units, each run as a plain process from its ExecStart line
 * (each "host" a loopback address with its own /var/lib/etcd, bound in a mount namespace of its own), form a healthy
 * cluster; the static pod manifests pass the API server's validation as Pods (a dry-run create).
 */
class RenderIT {

  @RegisterExtension
  // static pods and the node agent write host directories: the privileged level, as README says
  static final RigSession RIG = RigSession.privileged();
  static final List<String> HOSTS = List.of("127.0.33.1", "127.0.33.2", "127.0.33.3");
  static final Path WORK = Path.of("target", "render-it").toAbsolutePath();

  @Test
  void renderedSystemdUnitsRunAsPlainProcessesFormAHealthyCluster() throws Exception {
    Rig.deleteRecursively(WORK);
    Tools tools = RIG.rig().tools();
    String version = tools.defaultEtcdVersion();
    Path units = WORK.resolve("units");
    assertThat(render("--peers", peers(), "--format", "systemd", "--version", version, "--etcd-binary",
        tools.etcdBinary(version, "etcd").toString(), "--token", "render-it", "--out", units.toString())).isZero();

    List<ManagedProcess> members = new ArrayList<>();
    try {
      for (int i = 0; i < HOSTS.size(); i++) {
        String name = "m" + i;
        List<String> execStart = execStart(Files.readString(units.resolve("etcd-" + name + ".service")));
        Path host = Files.createDirectories(WORK.resolve("hosts").resolve(name).resolve("var-lib-etcd"));
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--",
            "/bin/sh", "-c", "mkdir -p /var/lib/etcd && mount --bind \"$0\" /var/lib/etcd && exec \"$@\"",
            host.toString()));
        command.addAll(execStart);
        members.add(ManagedProcess.start("render-" + name, command, null, WORK, WORK.resolve(name + ".log")));
      }
      String endpoints = HOSTS.stream().map(h -> "http://" + h + ":2379").collect(Collectors.joining(","));
      await("the rendered members healthy").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
          .until(() -> {
            members.forEach(m -> assertThat(m.isAlive()).as(m.tail(20)).isTrue());
            return run(tools.etcdBinary(version, "etcdctl").toString(), "--endpoints=" + endpoints,
                "--command-timeout=2s", "endpoint", "health").exitCode == 0;
          });
      Result list = run(tools.etcdBinary(version, "etcdctl").toString(), "--endpoints=" + endpoints, "member", "list");
      assertThat(list.output.lines().filter(l -> l.contains(", started, m"))).as(list.output).hasSize(3);
      Result put = run(tools.etcdBinary(version, "etcdctl").toString(), "--endpoints=http://" + HOSTS.get(0) + ":2379",
          "put", "rendered", "yes");
      assertThat(put.output).contains("OK");
    } finally {
      members.forEach(m -> m.stop(Duration.ofSeconds(10)));
      Rig.deleteRecursively(WORK.resolve("hosts"));
    }
  }

  @Test
  void renderedStaticPodManifestsAreValidPodsForTheApiServer() throws Exception {
    Path manifests = WORK.resolve("manifests");
    assertThat(render("--peers", peers(), "--tls-dir", "/etc/kubernetes/pki/etcd", "--out", manifests.toString()))
        .isZero();
    for (int i = 0; i < HOSTS.size(); i++) {
      Pod pod = Serialization.unmarshal(Files.readString(manifests.resolve("m" + i).resolve("etcd.yaml")), Pod.class);
      pod.getMetadata().setName("etcd-m" + i); // a mirror pod is named after its node
      Pod accepted = RIG.client().pods().inNamespace("kube-system").resource(pod).dryRun().create();
      assertThat(accepted.getSpec().getContainers().get(0).getCommand()).contains("--name=m" + i);
      assertThat(accepted.getSpec().getPriority()).as("system-node-critical resolved").isNotNull();
    }
  }

  private static String peers() {
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < HOSTS.size(); i++) {
      peers.add("m" + i + "=" + HOSTS.get(i));
    }
    return String.join(",", peers);
  }

  private static int render(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "render";
    System.arraycopy(args, 0, all, 1, args.length);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = RenderCommand.run(all, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(err.toString(StandardCharsets.UTF_8)).as("render complained").isEmpty();
    return code;
  }

  /** The unit's ExecStart command line: continuation lines joined, split into words as systemd does (no quotes here). */
  static List<String> execStart(String unit) {
    String joined = unit.replace("\\\n", " ");
    String line = joined.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
    return Arrays.stream(line.substring("ExecStart=".length()).trim().split("\\s+")).toList();
  }

  record Result(int exitCode, String output) {}

  private static Result run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return new Result(-1, output);
    }
    return new Result(process.exitValue(), output);
  }
}
