package dev.quorum.rig;

import java.util.List;

/**
 * The rig's network plan, in one place. The nodes share a bridge on this machine ({@link #BRIDGE}, the machine's
 * end at {@link #HOST_IP}, where the API server and the S3 server listen); each node is a network namespace with
 * one address on it and a pod range of its own; Services and cluster DNS are kube-proxy's and CoreDNS's. Nothing
 * here routes anywhere but between the rig's own namespaces: no default route, no NAT to the outside.
 */
public final class RigAddresses {

  /** The machine's bridge between the nodes; its name also marks the rig's leftovers after a crash. */
  public static final String BRIDGE = "quorum-rig0";
  public static final String BRIDGE_SUBNET = "10.250.0.0/24";
  /** The machine's address on the bridge: the API server, the S3 server and a host-side operator listen here. */
  public static final String HOST_IP = "10.250.0.1";
  public static final int BRIDGE_PREFIX = 24;
  /** Every node's pod range lies in here ({@link #podSubnet}). */
  public static final String POD_SUBNET = "10.244.0.0/16";
  public static final String SERVICE_SUBNET = "10.96.0.0/16";
  /** The cluster DNS Service's address (kube-dns), as kubeadm places it. */
  public static final String DNS_IP = "10.96.0.10";
  public static final String CLUSTER_DOMAIN = "cluster.local";
  /** A node's name also names its cgroup root, its veth's host end and its directory. */
  public static final String NODE_PREFIX = "quorum-node-";

  private RigAddresses() {
  }

  public static String nodeName(int index) {
    return NODE_PREFIX + index;
  }

  public static String nodeIp(int index) {
    return "10.250.0." + (10 + index);
  }

  public static String podSubnet(int index) {
    return "10.244." + index + ".0/24";
  }

  /** The host end of node {@code index}'s veth (interface names are at most 15 characters). */
  public static String hostVeth(int index) {
    return "quorum-veth" + index;
  }

  /** Search domains of a client in {@code namespace}, as the kubelet writes them into a pod's resolv.conf. */
  public static List<String> searchDomains(String namespace) {
    return List.of(namespace + ".svc." + CLUSTER_DOMAIN, "svc." + CLUSTER_DOMAIN, CLUSTER_DOMAIN);
  }

  /** resolv.conf of a client in {@code namespace}: cluster DNS only, as a pod with dnsPolicy ClusterFirst sees it. */
  public static String resolvConf(String namespace) {
    return "nameserver " + DNS_IP + "\nsearch " + String.join(" ", searchDomains(namespace)) + "\noptions ndots:5\n";
  }
}
