package dev.quorum;

import dev.quorum.noderecovery.NodeRecoveryCommand;
import dev.quorum.podtool.RestoreTool;
import dev.quorum.render.RenderCommand;
import dev.quorum.staticpod.NodeAgent;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.security.Security;

/**
 * The operator's entry point: Quarkus, after settings that must precede the first network call; or, when the first
 * argument is a tool command (what a restoring member's init containers run, {@code render}, the node agent, or the
 * node-local recovery commands), that tool instead of the operator.
 */
@QuarkusMain
public final class QuorumMain {

  private QuorumMain() {}

  public static void main(String... args) {
    if (RestoreTool.isToolCommand(args)) {
      System.exit(RestoreTool.run(args));
    }
    if (RenderCommand.isCommand(args)) {
      System.exit(RenderCommand.run(args, System.out, System.err));
    }
    if (NodeAgent.isCommand(args)) {
      System.exit(NodeAgent.run(args));
    }
    if (NodeRecoveryCommand.isCommand(args)) {
      System.exit(NodeRecoveryCommand.run(args, System.out, System.err));
    }
    // members are reached by DNS name and a recreated pod gets a new address: Java's default 30 s cache of a
    // resolved name would keep the operator calling the old one
    Security.setProperty("networkaddress.cache.ttl", "5");
    Security.setProperty("networkaddress.cache.negative.ttl", "1");
    Quarkus.run(args);
  }
}
