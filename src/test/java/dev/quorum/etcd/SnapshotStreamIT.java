package dev.quorum.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quorum.rig.ManagedProcess;
import dev.quorum.rig.Net;
import dev.quorum.rig.Rig;
import dev.quorum.rig.Tools;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Against a real single-member etcd holding over 64 MiB: a snapshot read through {@link SnapshotStream} keeps
 * its memory bounded under a slow reader, never stalls anyone else while paused, and closing it early ends the
 * RPC on the member.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SnapshotStreamIT {

  private static final Logger LOG = Logger.getLogger(SnapshotStreamIT.class);

  // under etcd's default 1.5 MiB request limit
  private static final int VALUE_BYTES = 1024 * 1024;
  private static final int VALUES = 72;
  private static final long FILL_BYTES = (long) VALUES * VALUE_BYTES;
  // short on purpose: the slow read below lasts longer, so it would fail if the snapshot were bound by it
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
  private static final EtcdClientSettings SETTINGS =
      new EtcdClientSettings(Duration.ofSeconds(5), REQUEST_TIMEOUT, Optional.empty());
  private static final SnapshotOptions OPTIONS = SnapshotOptions.withTimeout(Duration.ofMinutes(5));
  // what "promptly" means for a call made while a snapshot is paused
  private static final Duration PROMPT = Duration.ofSeconds(2);

  private final Path work = Path.of("target", "snapshot-stream-it").toAbsolutePath();
  private Tools tools;
  private ManagedProcess etcd;
  private String endpoint;
  private EtcdClusterClient client;
  /** An application's client of its own, writing and reading keys while snapshots stream. */
  private io.etcd.jetcd.Client application;

  @BeforeAll
  void startEtcdAndFillIt() throws Exception {
    tools = Tools.locate();
    Rig.deleteRecursively(work);
    Files.createDirectories(work);
    int clientPort = Net.freePort();
    int peerPort = Net.freePort();
    endpoint = "http://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    etcd = ManagedProcess.start("etcd", List.of(
            tools.etcdBinary(tools.defaultEtcdVersion(), "etcd").toString(),
            "--name=solo", "--data-dir=" + work.resolve("etcd-data"),
            "--listen-client-urls=" + endpoint, "--advertise-client-urls=" + endpoint,
            "--listen-peer-urls=" + peer, "--initial-advertise-peer-urls=" + peer,
            "--initial-cluster=solo=" + peer, "--unsafe-no-fsync=true", "--log-level=warn"),
        null, work, work.resolve("etcd.log"));
    client = EtcdClusterClient.connect(List.of(endpoint), SETTINGS);
    await("etcd has a leader").atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> {
      if (!etcd.isAlive()) {
        throw new AssertionError("etcd exited:\n" + etcd.tail(30));
      }
      return client.memberStatus(endpoint).get(5, TimeUnit.SECONDS).getLeader() != 0;
    });
    application = io.etcd.jetcd.Client.builder().endpoints(endpoint).build();
    KV kv = application.getKVClient();
    Random random = new Random(42);
    byte[] value = new byte[VALUE_BYTES];
    for (int i = 0; i < VALUES; i++) {
      // incompressible, so the database really is this large
      random.nextBytes(value);
      kv.put(key("fill/" + i), ByteSequence.from(value)).get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  void stopEtcd() {
    if (client != null) {
      client.close();
    }
    if (application != null) {
      application.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void aSlowReaderGetsTheWholeSnapshotWithBoundedMemory() throws Exception {
    Path file = work.resolve("slow-read.db");
    long started = System.nanoTime();
    boolean sawPaused = false;
    long size;
    long peak;
    long maxBuffered;
    MaintenanceStatus before;
    try (SnapshotStream stream = client.openSnapshot(endpoint, OPTIONS);
        OutputStream out = Files.newOutputStream(file)) {
      before = stream.memberStatus();
      maxBuffered = stream.maxBufferedBytes();
      byte[] chunk = new byte[16 * 1024];
      for (int n = stream.read(chunk); n >= 0; n = stream.read(chunk)) {
        out.write(chunk, 0, n);
        sawPaused |= stream.isBufferFull();
        assertThat(stream.bufferedBytes()).isLessThanOrEqualTo(maxBuffered);
        // the slow reader: an upload far behind what etcd can send (about 16 MiB/s)
        Thread.sleep(1);
      }
      size = stream.size();
      peak = stream.peakBufferedBytes();
      assertThat(stream.bytesRead()).isEqualTo(size);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    LOG.infof("slow read: snapshot of %d bytes (member %s, revision >= %d) in %d ms, peak buffered %d bytes of %d "
        + "allowed", size, before.memberIdHex(), before.revision(), took.toMillis(), peak, maxBuffered);

    assertThat(took).as("longer than a request may take").isGreaterThan(REQUEST_TIMEOUT);
    assertThat(sawPaused).as("the reader was slow enough to pause the RPC").isTrue();
    assertThat(peak).isPositive().isLessThanOrEqualTo(maxBuffered);
    assertThat(size).isEqualTo(Files.size(file)).isGreaterThan(FILL_BYTES);
    assertThat(before.version()).isNotBlank();
    assertThat(before.clusterId()).isNotZero();
    assertThat(before.memberId()).isNotZero();

    // what etcd appends: the SHA-256 of all that comes before
    byte[] bytes = Files.readAllBytes(file);
    byte[] database = Arrays.copyOf(bytes, bytes.length - SnapshotStream.SHA256_BYTES);
    assertThat(Arrays.copyOfRange(bytes, database.length, bytes.length))
        .isEqualTo(MessageDigest.getInstance("SHA-256").digest(database));

    // and what etcd's own tools make of it: status reads it, restore checks the hash
    String status = etcdutl("status", "snapshot", "status", file.toString(), "-w", "json");
    assertThat(number(status, "revision")).isGreaterThanOrEqualTo(before.revision());
    assertThat(number(status, "totalKey")).isGreaterThanOrEqualTo(VALUES);
    etcdutl("restore", "snapshot", "restore", file.toString(), "--data-dir", work.resolve("restored").toString());
  }

  @Test
  void whilePausedTheMemberAndTheClientStillAnswerPromptly() throws Exception {
    try (SnapshotStream stream = client.openSnapshot(endpoint, OPTIONS)) {
      assertThat(stream.read(new byte[1000])).isPositive();

      // the reader stalls: the buffer fills and the RPC pauses
      await("the buffer fills").atMost(Duration.ofSeconds(30)).until(stream::isBufferFull);
      long receivedWhenPaused = stream.bytesReceived();

      List<Duration> calls = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        // on the snapshot's own connection, so on the very event loop its transport runs on
        calls.add(timed(stream::fetchMemberStatus));
        // on the application's jetcd client: its own event loop was never involved
        int n = i;
        calls.add(timed(() -> application.getKVClient().put(key("paused/" + n), key("v")).get(5, TimeUnit.SECONDS)));
        calls.add(timed(() -> application.getKVClient().get(key("fill/" + n)).get(5, TimeUnit.SECONDS)));
        calls.add(timed(() -> client.memberStatus(endpoint).get(5, TimeUnit.SECONDS)));
      }
      Duration slowest = calls.stream().max(Comparator.naturalOrder()).orElseThrow();
      LOG.infof("while paused (%d bytes buffered): %d calls, slowest %d ms", stream.bufferedBytes(), calls.size(),
          slowest.toMillis());
      assertThat(slowest).isLessThan(PROMPT);

      // still paused: nothing arrived that the buffer had not asked for
      assertThat(stream.bytesReceived()).isEqualTo(receivedWhenPaused);
      assertThat(stream.peakBufferedBytes()).isLessThanOrEqualTo(stream.maxBufferedBytes());

      // and it resumes: the rest arrives complete (the checksum is checked at the end)
      long rest = stream.transferTo(OutputStream.nullOutputStream());
      assertThat(1000 + rest).isEqualTo(stream.size());
    }
  }

  @Test
  void closingEarlyEndsTheRpcOnTheMember() throws Exception {
    long startedBefore = snapshotMetric("grpc_server_started_total", null);
    long completedBefore = snapshotMetric("grpc_server_handled_total", "OK");
    long sentBefore = snapshotMetric("grpc_server_msg_sent_total", null);
    SnapshotStream closed;
    long size;
    long read;
    try (SnapshotStream stream = client.openSnapshot(endpoint, OPTIONS)) {
      closed = stream;
      size = stream.size();
      byte[] chunk = new byte[64 * 1024];
      while (stream.bytesRead() < 2 * 1024 * 1024) {
        assertThat(stream.read(chunk)).isPositive();
      }
      read = stream.bytesRead();
      await("the buffer fills").atMost(Duration.ofSeconds(30)).until(stream::isBufferFull);
    }

    // the member ended the RPC (etcd counts a cancelled snapshot as Unknown, not Canceled) and runs none any more
    await("the member ended the snapshot").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(snapshotMetric("grpc_server_started_total", null)).isEqualTo(startedBefore + 1);
      assertThat(snapshotMetric("grpc_server_handled_total", null)).isEqualTo(startedBefore + 1);
    });
    assertThat(snapshotMetric("grpc_server_handled_total", "OK")).as("not completed").isEqualTo(completedBefore);
    // it never ran far ahead of the reader: what was read, the buffer and the HTTP/2 window, give or take
    long sent = (snapshotMetric("grpc_server_msg_sent_total", null) - sentBefore) * 32 * 1024;
    LOG.infof("closed early after reading %d of %d bytes: the member had sent about %d bytes", read, size, sent);
    assertThat(sent).isLessThan(read + closed.maxBufferedBytes() + 4 * SnapshotStream.TRANSPORT_WINDOW_BYTES);
    await("the connection is gone").atMost(Duration.ofSeconds(10)).until(closed::isChannelTerminated);

    // and keeps serving: calls, and a whole new snapshot
    assertThat(client.memberStatus(endpoint).get(5, TimeUnit.SECONDS).getLeader()).isNotZero();
    application.getKVClient().put(key("after-cancel"), key("v")).get(5, TimeUnit.SECONDS);
    try (SnapshotStream again = client.openSnapshot(endpoint, OPTIONS)) {
      assertThat(again.transferTo(OutputStream.nullOutputStream())).isEqualTo(again.size());
    }
  }

  @Test
  void aSnapshotOutlivingItsTimeoutFailsTheReader() throws Exception {
    Duration timeout = Duration.ofSeconds(2);
    long started = System.nanoTime();
    try (SnapshotStream stream = client.openSnapshot(endpoint, SnapshotOptions.withTimeout(timeout))) {
      assertThat(stream.read(new byte[1000])).isPositive();

      // the reader stalls past the snapshot's timeout
      await("the snapshot times out").atMost(Duration.ofSeconds(30)).until(() -> stream.receiveFailure() != null);

      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(timeout);
      assertThatThrownBy(() -> stream.transferTo(OutputStream.nullOutputStream()))
          .isInstanceOf(IOException.class).hasMessageContaining("did not finish within its timeout of PT2S");
    }
    assertThat(client.memberStatus(endpoint).get(5, TimeUnit.SECONDS).getLeader()).isNotZero();
  }

  /** Runs one of etcdutl's commands and returns what it printed; fails on a non-zero exit. */
  private String etcdutl(String name, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(tools.etcdBinary(tools.defaultEtcdVersion(), "etcdutl").toString());
    command.addAll(List.of(args));
    Path log = work.resolve("etcdutl-" + name + ".log");
    Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("etcdutl %s finished", name).isTrue();
      String output = Files.readString(log);
      assertThat(process.exitValue()).as("etcdutl %s: %s", name, output).isZero();
      return output;
    } finally {
      process.destroyForcibly();
    }
  }

  /** A counter of the member's Snapshot RPCs from its /metrics; {@code code} null sums all codes. */
  private long snapshotMetric(String name, String code) throws IOException, InterruptedException {
    HttpResponse<String> metrics = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(endpoint + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    long total = 0;
    for (String line : metrics.body().split("\n")) {
      boolean matches = line.startsWith(name + "{") && line.contains("grpc_method=\"Snapshot\"")
          && (code == null || line.contains("grpc_code=\"" + code + "\""));
      if (matches) {
        total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  private static long number(String json, String field) {
    Matcher matcher = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
    assertThat(matcher.find()).as("%s in %s", field, json).isTrue();
    return Long.parseLong(matcher.group(1));
  }

  private static Duration timed(ThrowingCall call) throws Exception {
    long start = System.nanoTime();
    call.run();
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static ByteSequence key(String key) {
    return ByteSequence.from(key, StandardCharsets.UTF_8);
  }

  @FunctionalInterface
  private interface ThrowingCall {

    Object run() throws Exception;
  }
}
