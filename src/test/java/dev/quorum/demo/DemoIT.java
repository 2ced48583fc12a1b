package dev.quorum.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.rig.RigSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's demo, as CI runs it: to Available, a write and read through the client Service, the member list. */
class DemoIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();

  @Test
  void demoRunsToAvailableAndPrintsTheMemberList() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    try {
      String members = Demo.run(RIG.rig(), new PrintStream(new TeeOutputStream(buffer, System.out), true, StandardCharsets.UTF_8));
      assertThat(members.lines().filter(l -> l.contains("started") && l.contains("demo-"))).hasSize(3);
      String printed = buffer.toString(StandardCharsets.UTF_8);
      assertThat(printed).contains("==> Available after").contains("hello from quorum")
          .containsPattern("demo\\s+3\\s+3\\s+3\\.6\\.16");
    } finally {
      out.close();
      RIG.client().genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace("default").withName("demo").delete();
    }
  }

  /** Shows the demo's output in the test log and keeps it for the assertions. */
  private static final class TeeOutputStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeOutputStream(java.io.OutputStream a, java.io.OutputStream b) {
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
