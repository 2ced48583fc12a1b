package dev.quorum.rig;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The rig's pod network. Every pod gets its own loopback address, derived from its namespace and name (and a
 * salt per test run) so that a pod's DNS name maps to the same address before it exists and after it is
 * recreated (a StatefulSet member's peer URL must stay valid). Names are served by a hosts file per pod, bind-mounted over
 * /etc/hosts in the pod's private mount namespace: {@code <pod>.<service>.<ns>.svc[.cluster.local]},
 * {@code <service>.<ns>.svc[.cluster.local]} (the ready endpoints; headless services publishing not-ready
 * addresses list every pod), the short names of the pod's own namespace, and {@code localhost} = the pod.
 */
public final class RigNetwork {

  private final String clusterDomain;
  private final Map<String, Path> hostsFiles = new ConcurrentHashMap<>(); // pod key -> hosts file
  private final Map<String, Pod> podsByKey = new ConcurrentHashMap<>();
  private final Map<String, Path> clientHostsFiles = new ConcurrentHashMap<>(); // client name -> hosts file

  public RigNetwork(String clusterDomain) {
    this.clusterDomain = clusterDomain;
  }

  /** Keeps rigs of different test runs on one machine (a developer's and CI's) from sharing pod addresses. */
  private static final String RUN_SALT = java.util.UUID.randomUUID().toString();

  /** A stable address in 127.16.0.0 - 127.255.255.254, away from 127.0.0.1 and the nodes' 127.0.x.y. */
  public static String podIp(String namespace, String name) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest((RUN_SALT + "/" + namespace + "/" + name).getBytes(StandardCharsets.UTF_8));
      int second = 16 + Byte.toUnsignedInt(h[0]) % 240;
      int third = Byte.toUnsignedInt(h[1]);
      int fourth = 1 + Byte.toUnsignedInt(h[2]) % 254;
      return "127." + second + "." + third + "." + fourth;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The rig's S3 server: an address outside the pod network that no pod's "this host" rewriting touches, so the
   * operator and member pods reach the store at one URL, as they reach a store outside the cluster.
   */
  public static final String OBJECT_STORE_IP = "127.0.20.1";

  public static String nodeIp(int index) {
    return "127.0.10." + (index + 1);
  }

  /** Rewrites addresses that mean "this host" to the pod's own address: pods share the host's network. */
  public static String localizeAddresses(String value, String podIp) {
    return value == null ? null : value.replace("0.0.0.0", podIp).replace("127.0.0.1", podIp);
  }

  public void registerPod(String key, Pod pod, Path hostsFile) {
    podsByKey.put(key, pod);
    hostsFiles.put(key, hostsFile);
  }

  public void unregisterPod(String key) {
    podsByKey.remove(key);
    hostsFiles.remove(key);
  }

  /**
   * A process outside any pod that should resolve cluster DNS names as a pod does (the operator run from its
   * jar): its hosts file is kept current with every refresh.
   */
  public synchronized void registerClient(String name, Path hostsFile, Collection<Pod> pods,
      Collection<Service> services) {
    clientHostsFiles.put(name, hostsFile);
    writeInPlace(hostsFile, clientHosts(sharedEntries(pods, services)));
  }

  public void unregisterClient(String name) {
    clientHostsFiles.remove(name);
  }

  /** Rewrites every running pod's and client's hosts file from the current pods and services. */
  public synchronized void refresh(Collection<Pod> pods, Collection<Service> services) {
    String shared = sharedEntries(pods, services);
    clientHostsFiles.values().forEach(file -> writeInPlace(file, clientHosts(shared)));
    for (Map.Entry<String, Path> entry : hostsFiles.entrySet()) {
      Pod pod = podsByKey.get(entry.getKey());
      if (pod != null) {
        writeInPlace(entry.getValue(), hostsFor(pod, pods, services, shared));
      }
    }
  }

  /** A client keeps the host's own localhost: the operator listens there. */
  private static String clientHosts(String shared) {
    return "127.0.0.1 localhost\n::1 localhost ip6-localhost\n" + shared;
  }

  public String hostsFor(Pod pod, Collection<Pod> pods, Collection<Service> services) {
    return hostsFor(pod, pods, services, sharedEntries(pods, services));
  }

  private String hostsFor(Pod pod, Collection<Pod> pods, Collection<Service> services, String shared) {
    String ns = pod.getMetadata().getNamespace();
    String ip = podIp(ns, pod.getMetadata().getName());
    StringBuilder out = new StringBuilder();
    out.append(ip).append(" localhost ").append(pod.getMetadata().getName()).append('\n');
    out.append("::1 localhost ip6-localhost\n");
    out.append(shared);
    // short names inside the pod's own namespace
    for (Service service : services) {
      if (!ns.equals(service.getMetadata().getNamespace())) {
        continue;
      }
      for (String endpoint : endpoints(service, pods)) {
        String name = service.getMetadata().getName();
        out.append(endpoint).append(' ').append(name).append(' ').append(name).append('.').append(ns)
            .append('\n');
      }
    }
    return out.toString();
  }

  private String sharedEntries(Collection<Pod> pods, Collection<Service> services) {
    StringBuilder out = new StringBuilder();
    for (Pod pod : pods) {
      String hostname = pod.getSpec().getHostname();
      String subdomain = pod.getSpec().getSubdomain();
      if (hostname == null || subdomain == null) {
        continue;
      }
      String ns = pod.getMetadata().getNamespace();
      String base = hostname + "." + subdomain + "." + ns + ".svc";
      out.append(podIp(ns, pod.getMetadata().getName())).append(' ').append(base).append('.')
          .append(clusterDomain).append(' ').append(base).append('\n');
    }
    for (Service service : services) {
      String ns = service.getMetadata().getNamespace();
      String base = service.getMetadata().getName() + "." + ns + ".svc";
      for (String endpoint : endpoints(service, pods)) {
        out.append(endpoint).append(' ').append(base).append('.').append(clusterDomain).append(' ')
            .append(base).append('\n');
      }
    }
    return out.toString();
  }

  /** Addresses a Service name resolves to: its selected pods, ready ones unless it publishes not-ready ones. */
  public static List<String> endpoints(Service service, Collection<Pod> pods) {
    List<String> ips = new ArrayList<>(endpointPods(service, pods).stream()
        .map(pod -> podIp(pod.getMetadata().getNamespace(), pod.getMetadata().getName())).toList());
    ips.sort(null);
    return ips;
  }

  /** The pods behind a Service's addresses: selected, on a node, ready unless it publishes not-ready ones. */
  public static List<Pod> endpointPods(Service service, Collection<Pod> pods) {
    Map<String, String> selector = service.getSpec().getSelector();
    List<Pod> selectedPods = new ArrayList<>();
    if (selector == null || selector.isEmpty()) {
      return selectedPods;
    }
    boolean includeNotReady = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
    Predicate<Pod> selected = pod -> service.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace())
        && pod.getMetadata().getDeletionTimestamp() == null
        && pod.getMetadata().getLabels() != null
        && selector.entrySet().stream()
            .allMatch(e -> Objects.equals(pod.getMetadata().getLabels().get(e.getKey()), e.getValue()));
    for (Pod pod : pods) {
      if (selected.test(pod) && pod.getSpec().getNodeName() != null && (includeNotReady || isReady(pod))) {
        selectedPods.add(pod);
      }
    }
    return selectedPods;
  }

  public static boolean isReady(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /**
   * Same inode: the file is bind-mounted, so it must be rewritten in place, never replaced. The new content goes over
   * the old one before the file is cut to its length, never after emptying it: a resolver reading meanwhile sees the
   * names (a moment of an empty file made processes cache "no such host" for seconds).
   */
  static void writeInPlace(Path file, String content) {
    try {
      if (Files.exists(file) && Files.readString(file).equals(content)) {
        return;
      }
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        raf.seek(0);
        raf.write(bytes);
        raf.setLength(bytes.length);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
