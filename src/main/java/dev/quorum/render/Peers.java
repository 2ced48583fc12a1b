package dev.quorum.render;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and checks the peers of a cluster to render, written {@code name=host,name=host,...}: every problem is
 * reported at once, and a list with any problem renders nothing.
 */
public final class Peers {

  /** What a member name must be: a DNS label, as it ends up in a pod name and a unit file name. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
      + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
  private static final Pattern DNS_NAME = Pattern.compile(
      "(?=.{1,253}$)[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:]*:[0-9a-fA-F:.]*");
  static final int MAX = 9;

  /** The peers, or why they cannot be rendered. */
  public record Parsed(List<Peer> peers, List<String> problems) {
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  private Peers() {}

  public static Parsed parse(String text) {
    List<Peer> peers = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    if (text == null || text.isBlank()) {
      problems.add("no peers: give them as --peers name=host,name=host,name=host");
      return new Parsed(List.of(), problems);
    }
    Set<String> names = new HashSet<>();
    Set<String> hosts = new HashSet<>();
    for (String entry : text.split(",")) {
      String item = entry.strip();
      int eq = item.indexOf('=');
      if (eq <= 0 || eq == item.length() - 1) {
        problems.add("peer '" + item + "' is not name=host");
        continue;
      }
      String name = item.substring(0, eq).strip();
      String host = item.substring(eq + 1).strip();
      if (!NAME.matcher(name).matches()) {
        problems.add("peer name '" + name + "' is not a DNS label (lower-case letters, digits and '-', at most 63)");
      }
      if (!validHost(host)) {
        problems.add("peer " + name + ": host '" + host + "' is neither an IP address nor a DNS name");
      }
      if (!names.add(name)) {
        problems.add("peer name '" + name + "' appears twice");
      }
      if (!hosts.add(host.toLowerCase(java.util.Locale.ROOT))) {
        problems.add("host '" + host + "' appears twice: each member needs a host of its own");
      }
      peers.add(new Peer(name, host));
    }
    int count = peers.size();
    if (count < 3 || count > MAX || count % 2 == 0) {
      problems.add("an etcd cluster needs an odd number of members from 3 to " + MAX + " (got " + count + "): a"
          + " majority (quorum = size/2 + 1) must agree on every write, so an even count tolerates no more failures"
          + " than the odd count below it");
    }
    return new Parsed(List.copyOf(peers), List.copyOf(problems));
  }

  static boolean validHost(String host) {
    if (IPV4.matcher(host).matches()) {
      return true;
    }
    if (IPV6.matcher(host).matches()) {
      try {
        return java.net.InetAddress.getByName(host) instanceof java.net.Inet6Address;
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }
    // a dotted quad that is not an address (999.1.1.1) is a mistake, not a DNS name
    return DNS_NAME.matcher(host).matches() && !host.matches("[0-9.]+");
  }
}
