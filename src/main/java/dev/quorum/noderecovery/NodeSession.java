package dev.quorum.noderecovery;

import static dev.quorum.noderecovery.NodeRecoveryCommand.FAILED;
import static dev.quorum.noderecovery.NodeRecoveryCommand.REFUSED;

import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.ClusterViewReader;
import dev.quorum.etcd.EtcdCallFailed;
import dev.quorum.etcd.EtcdClientSettings;
import dev.quorum.etcd.EtcdClusterClient;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What both node-local commands do on a node: read and write its etcd manifest (the kubelet never reads half a file),
 * reach its member as a client with the member's own TLS files, wait for a state within the command's timeout, and say
 * each step.
 */
final class NodeSession {

  static final Duration POLL = Duration.ofMillis(500);

  private final PrintStream out;
  private final Path hostRoot;
  private final Duration timeout;

  /**
   * @param hostRoot where the node's root is mounted (a container's view), "/" on the node itself
   * @param timeout how long any one wait may take
   */
  NodeSession(PrintStream out, Path hostRoot, Duration timeout) {
    this.out = out;
    this.hostRoot = hostRoot;
    this.timeout = timeout;
  }

  EtcdManifest read(Path file) throws Stop {
    try {
      return EtcdManifest.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new Stop(REFUSED, "cannot read " + file + ": " + e.getMessage());
    } catch (EtcdManifest.Unusable e) {
      throw new Stop(REFUSED, file + ": " + e.getMessage());
    }
  }

  /** Through a hidden temporary file moved into place: the kubelet ignores dot files and never reads half a file. */
  void write(Path file, EtcdManifest manifest) throws Stop {
    try {
      Path temp = Files.createTempFile(file.getParent(), ".quorum-recovery-", ".tmp");
      try {
        Files.writeString(temp, manifest.yaml(), StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new Stop(FAILED, "cannot write " + file + ": " + e.getMessage());
    }
  }

  EtcdClusterClient connect(EtcdManifest manifest) throws Stop {
    return connect(manifest, manifest.clientUrl());
  }

  /** A client of the member's TLS files (kubeadm's server certificate serves as a client's too), or plain. */
  EtcdClusterClient connect(EtcdManifest manifest, String endpoint) throws Stop {
    Optional<SslContext> tls = Optional.empty();
    if (endpoint.startsWith("https://")) {
      EtcdManifest.ClientFiles files = manifest.clientFiles().orElseThrow(() -> new Stop(REFUSED, endpoint
          + " is https, but the manifest names no --trusted-ca-file, --cert-file and --key-file to connect with"));
      try {
        tls = Optional.of(GrpcSslContexts.forClient().trustManager(onNode(files.ca()).toFile())
            .keyManager(onNode(files.cert()).toFile(), onNode(files.key()).toFile()).build());
      } catch (IOException | RuntimeException e) {
        throw new Stop(REFUSED, "cannot use the member's TLS files: " + e.getMessage());
      }
    }
    return EtcdClusterClient.connect(List.of(endpoint), new EtcdClientSettings(Duration.ofSeconds(2),
        Duration.ofSeconds(5), tls));
  }

  ClusterView read(EtcdClusterClient client, EtcdManifest manifest) throws Stop {
    return readAt(client, Map.of(manifest.name(), manifest.clientUrl()));
  }

  ClusterView readAt(EtcdClusterClient client, Map<String, String> endpoints) throws Stop {
    try {
      return ClusterViewReader.read(client, endpoints);
    } catch (EtcdCallFailed e) {
      throw new Stop(FAILED, "etcd at " + endpoints.values() + " does not give its member list: " + e.getMessage());
    }
  }




  /** A path of the node's, where this process sees it. */
  Path onNode(String path) {
    return hostRoot.resolve(path.replaceFirst("^/+", ""));
  }

  interface Attempt<T> {
    Optional<T> get() throws Stop;
  }

  <T> T await(String what, Attempt<T> attempt) throws Stop {
    Instant deadline = Instant.now().plus(timeout);
    say("waiting for %s (at most %d s)", what, timeout.toSeconds());
    while (true) {
      Optional<T> done = attempt.get();
      if (done.isPresent()) {
        return done.get();
      }
      if (Instant.now().isAfter(deadline)) {
        throw new Stop(FAILED, "gave up waiting for " + what + " after " + timeout.toSeconds() + " s; run the"
            + " command again to go on from here");
      }
      pause();
    }
  }

  static void pause() throws Stop {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Stop(FAILED, "interrupted");
    }
  }

  void say(String format, Object... args) {
    out.println("[quorum] " + String.format(format, args));
  }
}
