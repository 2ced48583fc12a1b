package dev.quorum.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cuts pods off from each other on the rig's network, and heals the cut. Pods share the host's network, each with an
 * address of its own, and connect from 127.0.0.1: so a packet is dropped by who sends it (its socket's cgroup, see
 * {@link PodCgroups}) and where it goes (the address it is sent to, or comes from), both ways. Each cut is an
 * nftables table of its own, deleted to heal it. Processes outside the pods (the operator, the tests' clients, the
 * kubelet's probes) still reach every pod, as in a partition between nodes.
 */
final class NetworkCuts implements AutoCloseable {

  /** A pod as a cut names it: its cgroup and its address. */
  record Endpoint(PodCgroups.NftCgroup cgroup, String ip) {}

  private static final AtomicInteger NEXT = new AtomicInteger();
  private final String prefix = "quorum_rig_cut_" + ProcessHandle.current().pid() + "_";
  private final Set<String> tables = ConcurrentHashMap.newKeySet();

  /** Drops every packet between {@code pod} and each of {@code others}; returns the cut's name, to heal it. */
  String cut(Endpoint pod, List<Endpoint> others) {
    String table = prefix + NEXT.incrementAndGet();
    StringBuilder output = new StringBuilder();
    StringBuilder input = new StringBuilder();
    for (Endpoint other : others) {
      // what the pod sends to another, and what it receives from another; then the same from the other's side
      output.append(rule(pod, "daddr", other.ip()));
      input.append(rule(pod, "saddr", other.ip()));
      output.append(rule(other, "daddr", pod.ip()));
      input.append(rule(other, "saddr", pod.ip()));
    }
    nft("table inet " + table + " {\n"
        + "  chain output { type filter hook output priority 0; policy accept;\n" + output + "  }\n"
        + "  chain input { type filter hook input priority 0; policy accept;\n" + input + "  }\n"
        + "}\n");
    tables.add(table);
    return table;
  }

  void heal(String cut) {
    if (tables.remove(cut)) {
      nft("delete table inet " + cut + "\n");
    }
  }

  private static String rule(Endpoint socketOwner, String direction, String ip) {
    return "    socket cgroupv2 level " + socketOwner.cgroup().level() + " \"" + socketOwner.cgroup().path()
        + "\" ip " + direction + " " + ip + " drop\n";
  }

  private static void nft(String script) {
    try {
      Process nft = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
      nft.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
      nft.getOutputStream().close();
      String said = new String(nft.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!nft.waitFor(30, TimeUnit.SECONDS) || nft.exitValue() != 0) {
        throw new IllegalStateException("nft refused the rules (" + said.strip() + "):\n" + script);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("nft (Debian's nftables) is needed to cut pods off: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Heals every cut left, so no rule outlives the rig. */
  @Override
  public void close() {
    List<String> left = new ArrayList<>(tables);
    left.forEach(this::heal);
  }
}
