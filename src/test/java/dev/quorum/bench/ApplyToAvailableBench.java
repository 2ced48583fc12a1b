package dev.quorum.bench;

import static org.awaitility.Awaitility.await;

import dev.quorum.demo.Demo;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.QuorumCrds;
import dev.quorum.rig.Rig;
import dev.quorum.rig.Pods;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Apply to Available: how long an EtcdCluster takes to report Available, next to how long the project's
 * hand-written StatefulSet (src/test/resources/rig/etcd-statefulset.yaml) of the same size and storage
 * takes to get its pods ready, on one rig and one operator, alternating within each round.
 *
 * <p>Every time is taken from watches started before the apply, so no poll interval is in the numbers. The
 * EtcdCluster side reads only the resource's status conditions and the pods labelled
 * {@code etcd.quorum.dev/cluster=<name>}: it does not care whether the operator runs the members through a
 * StatefulSet or owns the pods itself.
 *
 * <p>Run through {@code bench/apply-to-available.sh [--rounds N] [--warmup N]}.
 */
public final class ApplyToAvailableBench {

  static final String CLUSTER_NAME = "bench";
  static final String CLUSTER_LABEL = "etcd.quorum.dev/cluster";
  static final Duration SIDE_TIMEOUT = Duration.ofMinutes(3);
  static final Path REPORT = Path.of("target", "bench", "apply-to-available.md");

  /** First moments, from the apply, at which a side reached each stage; null if it never did. */
  record Timing(Duration podsCreated, Duration podsReady, Duration available) {

    Duration lag() {
      return podsReady == null || available == null ? null : available.minus(podsReady);
    }
  }

  record Round(String label, boolean warmup, String order, Timing statefulSet, Timing etcdCluster) {}

  /** What both sides share, read from the hand-written StatefulSet so an edit there carries over. */
  record Shape(int size, String version, String storage) {}

  public static void main(String[] args) throws Exception {
    int rounds = intArg(args, "--rounds", 5);
    int warmup = intArg(args, "--warmup", 1);
    if (rounds < 1 || warmup < 0) {
      throw new IllegalArgumentException("--rounds must be at least 1 and --warmup at least 0");
    }
    PrintStream out = System.out;
    String loadBefore = BenchMachine.loadAverage();
    Instant started = Instant.now();
    List<Round> results = new ArrayList<>();
    out.println("==> starting the local rig in target/rig/bench");
    try (Rig rig = Rig.start("bench", 3)) {
      KubernetesClient kube = rig.client();
      QuorumCrds.install(kube);
      out.println("==> starting the operator, log: " + rig.logs().resolve("operator-bench.log"));
      try (OperatorProcess operator = OperatorProcess.start(rig, "bench", Map.of())) {
        Shape shape = shape(handWritten(kube));
        out.printf("==> %d warm-up + %d measured rounds; both sides: %d members, etcd %s, %s volumes%n",
            warmup, rounds, shape.size(), shape.version(), shape.storage());
        for (int i = 0; i < warmup + rounds; i++) {
          boolean isWarmup = i < warmup;
          String label = isWarmup ? "w" + (i + 1) : String.valueOf(i - warmup + 1);
          // alternate ab, ba within the measured rounds, so a drift over the run hits both sides alike
          boolean statefulSetFirst = isWarmup || (i - warmup) % 2 == 0;
          Timing sts = null;
          Timing ec = null;
          for (int side = 0; side < 2; side++) {
            if ((side == 0) == statefulSetFirst) {
              sts = measureStatefulSet(kube, operator, "bench-" + label + "-sts", shape);
              out.printf("    round %s StatefulSet: 3 ready %s%n", label, BenchMachine.seconds(sts.podsReady()));
            } else {
              ec = measureEtcdCluster(kube, operator, "bench-" + label + "-ec", shape);
              out.printf("    round %s EtcdCluster: members ready %s, Available %s%n", label,
                  BenchMachine.seconds(ec.podsReady()), BenchMachine.seconds(ec.available()));
            }
          }
          results.add(new Round(label, isWarmup, statefulSetFirst ? "ab" : "ba", sts, ec));
        }
        String report = report(results, shape, warmup, started, loadBefore, BenchMachine.loadAverage());
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, report);
        out.println();
        out.print(report);
        out.println();
        out.println("==> written to " + REPORT.toAbsolutePath());
      }
    }
    System.exit(0); // client libraries may leave idle non-daemon threads behind
  }

  // ---- the two sides ----

  static Timing measureStatefulSet(KubernetesClient kube, OperatorProcess operator, String ns, Shape shape) {
    List<HasMetadata> objects = handWritten(kube);
    StatefulSet sts = objects.stream().filter(StatefulSet.class::isInstance).map(StatefulSet.class::cast)
        .findFirst().orElseThrow();
    Map<String, String> selector = sts.getSpec().getSelector().getMatchLabels();
    return measure(kube, operator, ns, objects, selector, shape.size(), false);
  }

  static Timing measureEtcdCluster(KubernetesClient kube, OperatorProcess operator, String ns, Shape shape) {
    String yaml = """
        apiVersion: etcd.quorum.dev/v1alpha1
        kind: EtcdCluster
        metadata:
          name: %s
        spec:
          size: %d
          version: "%s"
          storage:
            size: %s
        """.formatted(CLUSTER_NAME, shape.size(), shape.version(), shape.storage());
    List<HasMetadata> objects = kube.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    return measure(kube, operator, ns, objects, Map.of(CLUSTER_LABEL, CLUSTER_NAME), shape.size(), true);
  }

  /**
   * Applies {@code objects} into a fresh namespace and times it from the apply; deletes the namespace and
   * waits until it is gone, so the next measurement has the machine to itself.
   */
  static Timing measure(KubernetesClient kube, OperatorProcess operator, String ns, List<HasMetadata> objects,
      Map<String, String> podSelector, int size, boolean etcdCluster) {
    BenchMachine.createNamespace(kube, ns);
    Progress progress = new Progress(size);
    SharedIndexInformer<Pod> pods = kube.pods().inNamespace(ns).withLabels(podSelector)
        .inform(handler(progress::onPod, progress::onPodGone));
    SharedIndexInformer<GenericKubernetesResource> clusters = etcdCluster
        ? kube.genericKubernetesResources(Demo.ETCD_CLUSTERS).inNamespace(ns)
            .inform(handler(progress::onCluster, c -> {}))
        : null;
    try {
      progress.start();
      objects.forEach(o -> kube.resource(o).inNamespace(ns).serverSideApply());
      // Awaitility only reads the recorded times here; the times themselves come from the watches
      await(ns + (etcdCluster ? " Available" : " ready")).atMost(SIDE_TIMEOUT).pollInterval(Duration.ofMillis(100))
          .until(() -> {
            if (!operator.isAlive()) {
              throw new IllegalStateException("the operator exited:\n" + operator.logTail(40));
            }
            return progress.podsReady != null && (!etcdCluster || progress.available != null);
          });
      return new Timing(progress.podsCreated, progress.podsReady, progress.available);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      String status = etcdCluster ? String.valueOf(kube.genericKubernetesResources(Demo.ETCD_CLUSTERS)
          .inNamespace(ns).withName(CLUSTER_NAME).get().getAdditionalProperties().get("status")) : "";
      throw new IllegalStateException(ns + " timed out: pods created " + BenchMachine.seconds(progress.podsCreated)
          + ", ready " + BenchMachine.seconds(progress.podsReady) + "; status " + status + "\noperator log:\n"
          + operator.logTail(40), e);
    } finally {
      pods.close();
      if (clusters != null) {
        clusters.close();
      }
      // the applied objects first: an EtcdCluster left to the namespace's deletion is reconciled against
      // a terminating namespace, which only fills the operator's log
      kube.resourceList(objects).inNamespace(ns).delete();
      deleteNamespace(kube, ns);
    }
  }

  /** The first moment each stage was seen; pods are tracked by name, so a replaced pod counts once. */
  static final class Progress {

    private final int size;
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();
    private volatile long start;
    volatile Duration podsCreated;
    volatile Duration podsReady;
    volatile Duration available;

    Progress(int size) {
      this.size = size;
    }

    void start() {
      start = System.nanoTime();
    }

    synchronized void onPod(Pod pod) {
      pods.put(pod.getMetadata().getName(), pod);
      List<Pod> live = pods.values().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
      if (podsCreated == null && live.size() >= size) {
        podsCreated = elapsed();
      }
      if (podsReady == null && live.stream().filter(Pods::isReady).count() >= size) {
        podsReady = elapsed();
      }
    }

    synchronized void onPodGone(Pod pod) {
      pods.remove(pod.getMetadata().getName());
    }

    synchronized void onCluster(GenericKubernetesResource cluster) {
      if (available == null && Demo.isAvailable(cluster)) {
        available = elapsed();
      }
    }

    private Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - start);
    }
  }

  static <T> ResourceEventHandler<T> handler(Consumer<T> changed, Consumer<T> gone) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        changed.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        changed.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        gone.accept(obj);
      }
    };
  }


  /** Gone means every pod's processes were stopped too: a kubelet confirms a pod's deletion only after that. */
  static void deleteNamespace(KubernetesClient kube, String ns) {
    kube.namespaces().withName(ns).delete();
    await(ns + " deleted").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> kube.namespaces().withName(ns).get() == null);
  }

  // ---- what both sides share ----

  static List<HasMetadata> handWritten(KubernetesClient kube) {
    try (InputStream in = ApplyToAvailableBench.class.getResourceAsStream("/rig/etcd-statefulset.yaml")) {
      return kube.load(Objects.requireNonNull(in, "rig/etcd-statefulset.yaml not on the classpath")).items();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Shape shape(List<HasMetadata> handWritten) {
    StatefulSet sts = handWritten.stream().filter(StatefulSet.class::isInstance).map(StatefulSet.class::cast)
        .findFirst().orElseThrow(() -> new IllegalStateException("no StatefulSet in etcd-statefulset.yaml"));
    String image = sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    String version = image.substring(image.lastIndexOf(':') + 1).replaceFirst("^v", "");
    String storage = sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests()
        .get("storage").toString();
    return new Shape(sts.getSpec().getReplicas(), version, storage);
  }

  // ---- the report ----

  static String report(List<Round> rounds, Shape shape, int warmup, Instant started, String loadBefore,
      String loadAfter) {
    List<Round> measured = rounds.stream().filter(r -> !r.warmup()).toList();
    StringBuilder md = new StringBuilder();
    md.append("### Apply to Available: EtcdCluster vs. hand-written StatefulSet\n\n");
    md.append("- commit: ").append(System.getProperty("bench.commit", "unknown")).append('\n');
    md.append("- run: ").append(started.truncatedTo(ChronoUnit.SECONDS)).append(", ").append(measured.size())
        .append(" rounds after ").append(warmup).append(" warm-up (not in the medians)\n");
    md.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
        .append(BenchMachine.cpuModel()).append("; load average before ").append(loadBefore).append(", after ")
        .append(loadAfter).append('\n');
    md.append("- both sides: ").append(shape.size()).append(" members, etcd ").append(shape.version())
        .append(", one ").append(shape.storage()).append(" volume each\n\n");
    md.append("Seconds from the apply. StatefulSet: its ").append(shape.size())
        .append(" pods created, all Ready. EtcdCluster: its member pods (label `").append(CLUSTER_LABEL)
        .append("`) created, all Ready, then condition Available=True; lag = Available - members ready.\n\n");
    md.append("| round | order | StatefulSet pods created | StatefulSet ready | EtcdCluster pods created"
        + " | EtcdCluster members ready | EtcdCluster Available | operator lag |\n");
    md.append("|---|---|--:|--:|--:|--:|--:|--:|\n");
    for (Round r : rounds) {
      md.append(row(r.warmup() ? r.label() + " (warm-up)" : r.label(), r.order(),
          r.statefulSet().podsCreated(), r.statefulSet().podsReady(), r.etcdCluster().podsCreated(),
          r.etcdCluster().podsReady(), r.etcdCluster().available(), r.etcdCluster().lag()));
    }
    md.append(row("**median**", "", median(measured, r -> r.statefulSet().podsCreated()),
        median(measured, r -> r.statefulSet().podsReady()), median(measured, r -> r.etcdCluster().podsCreated()),
        median(measured, r -> r.etcdCluster().podsReady()), median(measured, r -> r.etcdCluster().available()),
        median(measured, r -> r.etcdCluster().lag())));
    Duration sts = median(measured, r -> r.statefulSet().podsReady());
    Duration available = median(measured, r -> r.etcdCluster().available());
    Duration lag = median(measured, r -> r.etcdCluster().lag());
    md.append('\n');
    md.append(String.format(Locale.ROOT, "- median EtcdCluster Available / median StatefulSet ready: **%.2f**"
        + " (%s / %s)%n", available.toNanos() / (double) sts.toNanos(), BenchMachine.seconds(available), BenchMachine.seconds(sts)));
    md.append("- median operator lag (Available - members ready): **").append(BenchMachine.seconds(lag))
        .append("** (target: at most 1 s)\n");
    return md.toString();
  }

  private static String row(String label, String order, Duration... cells) {
    StringBuilder row = new StringBuilder("| ").append(label).append(" | ").append(order).append(" |");
    for (Duration cell : cells) {
      row.append(' ').append(BenchMachine.seconds(cell)).append(" |");
    }
    return row.append('\n').toString();
  }

  static Duration median(List<Round> rounds, Function<Round, Duration> column) {
    List<Duration> values = rounds.stream().map(column).filter(Objects::nonNull).sorted().toList();
    if (values.isEmpty()) {
      return null;
    }
    int mid = values.size() / 2;
    return values.size() % 2 == 1 ? values.get(mid) : values.get(mid - 1).plus(values.get(mid)).dividedBy(2);
  }

  private static int intArg(String[] args, String name, int fallback) {
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--rounds") && !args[i].startsWith("--warmup") && !args[i].matches("\\d+")) {
        throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: [--rounds N] [--warmup N]");
      }
      if (args[i].equals(name) && i + 1 < args.length) {
        return Integer.parseInt(args[i + 1]);
      }
      if (args[i].startsWith(name + "=")) {
        return Integer.parseInt(args[i].substring(name.length() + 1));
      }
    }
    return fallback;
  }
}
