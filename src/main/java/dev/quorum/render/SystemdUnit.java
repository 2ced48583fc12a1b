package dev.quorum.render;

import java.util.List;

/** A systemd unit that runs one rendered member as a plain process, for etcd installed on hosts by hand. */
public final class SystemdUnit {

  private SystemdUnit() {}

  /** The file name, {@code etcd-<name>.service}. */
  public static String fileName(Peer self) {
    return "etcd-" + self.name() + ".service";
  }

  public static String build(List<Peer> peers, Peer self, RenderOptions options) {
    StringBuilder unit = new StringBuilder();
    unit.append("[Unit]\n");
    unit.append("Description=etcd member ").append(self.name()).append(" (rendered by quorum render)\n");
    unit.append("Documentation=https://etcd.io/docs/\n");
    unit.append("Wants=network-online.target\n");
    unit.append("After=network-online.target\n\n");
    unit.append("[Service]\n");
    // etcd tells systemd when it serves: units that need it can order after this one
    unit.append("Type=notify\n");
    unit.append("ExecStart=").append(options.etcdBinary());
    for (String flag : EtcdCommandLine.flags(peers, self, options)) {
      unit.append(" \\\n  ").append(flag);
    }
    unit.append('\n');
    unit.append("Restart=always\n");
    unit.append("RestartSec=5\n");
    unit.append("LimitNOFILE=65536\n\n");
    unit.append("[Install]\n");
    unit.append("WantedBy=multi-user.target\n");
    return unit.toString();
  }
}
