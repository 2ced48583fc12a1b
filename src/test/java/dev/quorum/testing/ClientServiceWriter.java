package dev.quorum.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.rig.Pods;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A client that puts a key every interval through a cluster's client Service, as an application in the cluster
 * would: each write goes to the next of the addresses the Service resolves to now (its ready pods, refreshed twice a
 * second). It remembers every write etcd acknowledged and every failure, with the longest time writes kept failing.
 */
public final class ClientServiceWriter implements AutoCloseable {

  public static final String PREFIX = "writer/";

  /** What the writer saw. */
  public record Result(List<Integer> acknowledged, int failed, Duration longestOutage, List<String> failures) {}

  /**
   * A write is sent once, to the member the Service resolved to when it was made: jetcd would resend it after a
   * connection error, possibly long after the Service stopped sending there. The next write asks the Service again.
   */
  public static final int NO_RETRIES = 0;

  /**
   * How the writer reaches a member's address, as an application would: plain, or with the certificates its mounted
   * Secret holds now ({@link #refresh} rereads them; {@link #id} tells the clients of one set from another's).
   */
  public interface Connector {
    default void refresh() {}

    default String id() {
      return "";
    }

    Client connect(String ip);
  }

  public static final Connector PLAIN = ip -> Client.builder().endpoints("http://" + ip + ":2379")
      .retryMaxAttempts(NO_RETRIES).build();

  private final KubernetesClient kube;
  private final String namespace;
  private final String service;
  private final Duration interval;
  private final Connector connector;
  private final Map<String, Client> clients = new ConcurrentHashMap<>();
  /**
   * How long one write may take before the writer moves on to the next address, as an application would: a put etcd
   * acknowledges takes well under a second here even on a loaded machine, while a member that is stopping or
   * restarting does not answer at all. Waited on longer, two such addresses in a row (the Service's list is half a
   * second old) would make an outage of their own, longer than the leader election the tests bound it by.
   */
  static final Duration WRITE_TIMEOUT = Duration.ofMillis(1500);
  /** Fewer acknowledged writes would say little about what a change cost. */
  public static final int ENOUGH_WRITES = 100;

  private final List<Integer> acknowledged = new CopyOnWriteArrayList<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  /** An address the Service resolved to, and the pod behind it then. */
  public record Endpoint(String ip, String pod, String podUid) {}

  private volatile List<Endpoint> endpoints = List.of();
  private volatile boolean running = true;
  private long longestOutageNanos;
  private final Thread resolver;
  private final Thread writer;

  public ClientServiceWriter(KubernetesClient kube, String namespace, String service, Duration interval) {
    this(kube, namespace, service, interval, PLAIN);
  }

  public ClientServiceWriter(KubernetesClient kube, String namespace, String service, Duration interval,
      Connector connector) {
    this.kube = kube;
    this.namespace = namespace;
    this.service = service;
    this.interval = interval;
    this.connector = connector;
    resolve();
    this.resolver = new Thread(this::resolveLoop, "writer-resolver-" + service);
    this.writer = new Thread(this::writeLoop, "writer-" + service);
    resolver.setDaemon(true);
    writer.setDaemon(true);
    resolver.start();
    writer.start();
  }

  private void resolveLoop() {
    while (running) {
      try {
        resolve();
        Thread.sleep(500); // about as often as EndpointSlices change while members come and go
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // the API server is busy: keep the last addresses
      }
    }
  }

  private void resolve() {
    connector.refresh();
    endpoints = Pods.serviceEndpoints(kube, namespace, service).stream()
        .map(endpoint -> new Endpoint(endpoint.ip(), endpoint.pod(), endpoint.podUid()))
        .sorted(Comparator.comparing(Endpoint::ip))
        .toList();
  }

  /**
   * Marks a failure at an address whose pod was replaced since the Service resolved it: a write on a list half a
   * second old goes to the old address (a pod address can also be given again to the next pod on the node). A failed
   * write either way, but not one the Service sent to a learner.
   */
  public static final String STALE_ADDRESS = "stale address: ";

  private String describeFailure(Endpoint endpoint, Exception e) {
    String failure = endpoint.ip() + " (" + endpoint.pod() + "): " + rootMessage(e);
    try {
      Pod now = kube.pods().inNamespace(namespace).withName(endpoint.pod()).get();
      if (now == null || !endpoint.podUid().equals(now.getMetadata().getUid())) {
        return STALE_ADDRESS + failure;
      }
    } catch (RuntimeException busy) {
      // the API server did not answer: the failure stands as it is
    }
    return failure;
  }

  private void writeLoop() {
    int next = 0;
    long lastSuccess = System.nanoTime();
    int turn = 0;
    while (running) {
      long started = System.nanoTime();
      List<Endpoint> now = endpoints;
      if (!now.isEmpty()) {
        Endpoint endpoint = now.get(Math.floorMod(turn++, now.size()));
        String ip = endpoint.ip();
        Client client = clients.computeIfAbsent(connector.id() + "/" + ip, key -> connector.connect(ip));
        try {
          client.getKVClient().put(bytes(PREFIX + String.format("%06d", next)), bytes("v" + next))
              .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          acknowledged.add(next);
          long now2 = System.nanoTime();
          synchronized (this) {
            longestOutageNanos = Math.max(longestOutageNanos, now2 - lastSuccess - interval.toNanos());
          }
          lastSuccess = now2;
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          failures.add(describeFailure(endpoint, e));
        }
        next++; // a failed write may still have landed: a new key either way
      }
      long sleep = interval.toNanos() - (System.nanoTime() - started);
      if (sleep > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(sleep);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** How many writes etcd has acknowledged so far. */
  public int acknowledgedCount() {
    return acknowledged.size();
  }

  /** Stops writing and reports. */
  public Result stop() throws InterruptedException {
    running = false;
    writer.interrupt();
    resolver.interrupt();
    writer.join(10_000);
    resolver.join(10_000);
    synchronized (this) {
      return new Result(List.copyOf(acknowledged), failures.size(), Duration.ofNanos(Math.max(0, longestOutageNanos)),
          List.copyOf(failures));
    }
  }

  /**
   * Stops writing, once more than a hundred writes were acknowledged, and checks what a client would care about: every
   * one of them in the cluster, and writes never failing for longer than {@code longestAcceptableOutage}.
   */
  public void stopAndAssertKept(Duration longestAcceptableOutage) throws Exception {
    // a change can be over in fewer writes (a quick roll): writing goes on until there are enough to judge by, or
    // the check below fails
    await("more than " + ENOUGH_WRITES + " writes acknowledged").atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(100)).until(() -> acknowledged.size() > ENOUGH_WRITES);
    Result result = stop();
    try {
      System.out.printf("writer: %d acknowledged, %d failed, longest outage %d ms; failures: %s%n",
          result.acknowledged().size(), result.failed(), result.longestOutage().toMillis(),
          result.failures().stream().limit(10).collect(java.util.stream.Collectors.joining("; ")));
      assertThat(result.acknowledged()).hasSizeGreaterThan(ENOUGH_WRITES);
      assertThat(missing(result.acknowledged())).as("acknowledged writes the cluster lost").isEmpty();
      // the client Service routes to voting members only: a learner refuses clients
      assertThat(result.failures()).as("writes the Service sent to a learner")
          .noneMatch(f -> f.contains("learner") && !f.startsWith(STALE_ADDRESS));
      assertThat(result.longestOutage()).as("writes failed for longer than a leader election: " + result.failures())
          .isLessThan(longestAcceptableOutage);
    } finally {
      close();
    }
  }

  /** Acknowledged writes the cluster does not have, read through the Service as a linearizable range read. */
  public List<Integer> missing(List<Integer> acknowledged) throws Exception {
    resolve();
    String ip = endpoints.get(0).ip();
    try (Client reader = connector.connect(ip)) {
      GetResponse all = reader.getKVClient().get(bytes(PREFIX),
          GetOption.builder().isPrefix(true).withKeysOnly(true).build()).get(30, TimeUnit.SECONDS);
      Set<String> present = new HashSet<>();
      all.getKvs().forEach(kv -> present.add(kv.getKey().toString(UTF_8)));
      List<Integer> missing = new ArrayList<>();
      for (int n : acknowledged) {
        if (!present.contains(PREFIX + String.format("%06d", n))) {
          missing.add(n);
        }
      }
      return missing;
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, UTF_8);
  }

  @Override
  public void close() {
    running = false;
    writer.interrupt();
    resolver.interrupt();
    clients.values().forEach(Client::close);
  }
}
