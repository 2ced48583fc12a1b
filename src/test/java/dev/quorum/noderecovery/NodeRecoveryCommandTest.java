package dev.quorum.noderecovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input is refused with a message and exit code 2, and nothing is written. */
class NodeRecoveryCommandTest {

  @TempDir
  Path dir;

  @Test
  void missingOrUnknownOptionsAreNamedAndTheUsageShown() {
    Result result = run("recover-survivor", "--manifest", "x.yaml", "--colour", "red");

    assertThat(result.code()).isEqualTo(NodeRecoveryCommand.REFUSED);
    assertThat(result.err()).contains("unknown option --colour", "--confirm is required", "usage:");
    assertThat(run("rejoin-member", "--manifest", "x.yaml").err()).contains("--survivor is required");
    assertThat(run("rejoin-member", "--manifest", "x.yaml", "--survivor", "http://a:2379", "--timeout", "soon")
        .err()).contains("--timeout");
  }

  @Test
  void aConfirmationThatIsNotTheMembersNameChangesNothing() throws Exception {
    Path manifest = dir.resolve("etcd.yaml");
    Files.writeString(manifest, EtcdManifestTest.KUBEADM);

    Result result = run("recover-survivor", "--manifest", manifest.toString(), "--confirm", "cp-2");

    assertThat(result.code()).isEqualTo(NodeRecoveryCommand.REFUSED);
    assertThat(result.err()).contains("--confirm cp-2 is not this member's name (cp-1)", "nothing changed");
    assertThat(Files.readString(manifest)).isEqualTo(EtcdManifestTest.KUBEADM);
  }

  @Test
  void aFileThatIsNoEtcdManifestOrDoesNotExistIsRefused() throws Exception {
    Path other = dir.resolve("kube-apiserver.yaml");
    Files.writeString(other, "kind: Pod\nspec:\n  containers:\n  - name: x\n    command: [kube-apiserver]\n");

    assertThat(run("recover-survivor", "--manifest", other.toString(), "--confirm", "x").err())
        .contains("no container runs etcd");
    assertThat(run("recover-survivor", "--manifest", dir.resolve("none.yaml").toString(), "--confirm", "x").err())
        .contains("cannot read");
  }

  @Test
  void helpPrintsTheUsage() {
    Result result = run("rejoin-member", "--help");

    assertThat(result.code()).isZero();
    assertThat(result.out()).contains("quorum recover-survivor", "quorum rejoin-member");
  }

  record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = NodeRecoveryCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
