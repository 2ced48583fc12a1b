package dev.quorum.render;

import dev.quorum.model.EtcdPorts;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The etcd flags of one rendered member: it listens and advertises on its host, knows every peer by name, and
 * starts a new cluster with them (each file is written once, before any member has data).
 */
public final class EtcdCommandLine {

  private EtcdCommandLine() {}

  public static List<String> flags(List<Peer> peers, Peer self, RenderOptions options) {
    String scheme = options.scheme();
    List<String> flags = new ArrayList<>();
    flags.add("--name=" + self.name());
    flags.add("--data-dir=" + options.dataDir());
    flags.add("--listen-peer-urls=" + scheme + "://" + self.hostPort(EtcdPorts.PEER));
    flags.add("--listen-client-urls=" + scheme + "://" + self.hostPort(EtcdPorts.CLIENT));
    flags.add("--advertise-client-urls=" + scheme + "://" + self.hostPort(EtcdPorts.CLIENT));
    flags.add("--initial-advertise-peer-urls=" + scheme + "://" + self.hostPort(EtcdPorts.PEER));
    flags.add("--initial-cluster=" + peers.stream()
        .map(p -> p.name() + "=" + scheme + "://" + p.hostPort(EtcdPorts.PEER)).collect(Collectors.joining(",")));
    flags.add("--initial-cluster-state=new");
    flags.add("--initial-cluster-token=" + options.token());
    // plain HTTP on the member's own host: probes and metrics scrapers carry no client certificate
    flags.add("--listen-metrics-urls=http://" + self.hostPort(EtcdPorts.METRICS));
    options.tlsDir().ifPresent(dir -> {
      flags.add("--trusted-ca-file=" + dir + "/ca.crt");
      flags.add("--cert-file=" + dir + "/server.crt");
      flags.add("--key-file=" + dir + "/server.key");
      flags.add("--client-cert-auth=true");
      flags.add("--peer-trusted-ca-file=" + dir + "/ca.crt");
      flags.add("--peer-cert-file=" + dir + "/peer.crt");
      flags.add("--peer-key-file=" + dir + "/peer.key");
      flags.add("--peer-client-cert-auth=true");
    });
    return flags;
  }
}
