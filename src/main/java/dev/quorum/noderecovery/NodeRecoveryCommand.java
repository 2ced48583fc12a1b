package dev.quorum.noderecovery;

import dev.quorum.api.v1alpha1.WholeDuration;
import dev.quorum.etcd.ClusterView;
import dev.quorum.etcd.EtcdCallFailed;
import dev.quorum.etcd.EtcdClusterClient;
import dev.quorum.etcd.LearnerPromotion;
import dev.quorum.etcd.MemberView;
import dev.quorum.render.CommandOptions;
import io.etcd.jetcd.api.MemberAddResponse;
import io.etcd.jetcd.api.StatusResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The node-local way back from a lost quorum, for an etcd the operator cannot act on: kubeadm's own, which backs the
 * very API server the operator uses. The same steps as the operator's recovery from the survivor, run on the nodes by
 * hand from the image's tool mode (the runbook is in the README):
 *
 * <ol>
 *   <li>on every other control-plane node, the member is stopped (its {@code etcd.yaml} moved out of the kubelet's
 *       manifest directory): no old member may run beside the forced one;
 *   <li>{@code quorum recover-survivor} on the survivor's node: its manifest gets {@code --force-new-cluster}, the
 *       kubelet restarts it as a one-member cluster of its own data, then the flag comes off again (etcd reads it at
 *       every start) and the member restarts once more;
 *   <li>{@code quorum rejoin-member} on each other node, one at a time: its old data directory is set aside (renamed,
 *       not deleted), it is added as a learner, its manifest put back joining the existing cluster, and it is promoted
 *       once it has caught up.
 * </ol>
 *
 * <p>Each command refuses, with nothing changed, what would be unsafe (quorum holds, another member still answers, the
 * survivor has no leader to join), and can be run again after an interruption: it recognises what is done from the
 * manifest and etcd's member list. Exit codes: 0 done, 1 failed (said why), 2 bad input or refused.
 */
public final class NodeRecoveryCommand {

  public static final String RECOVER_SURVIVOR = "recover-survivor";
  public static final String REJOIN_MEMBER = "rejoin-member";
  static final int OK = 0;
  static final int FAILED = 1;
  static final int REFUSED = 2;
  static final String DEFAULT_MANIFEST_DIR = "/etc/kubernetes/manifests";
  static final String MANIFEST_FILE = "etcd.yaml";
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
  /** How long a member that should be stopped gets to answer before it is taken as stopped. */
  static final Duration STOPPED_WITHIN = Duration.ofSeconds(3);
  /** A member that lost its leader keeps following it for an election timeout (1 s by default): ten of them. */
  static final Duration LEADER_LOST_WITHIN = Duration.ofSeconds(10);
  /** How long a data directory that cannot be renamed yet is tried again (a container being torn down). */
  static final Duration SET_ASIDE_WITHIN = Duration.ofSeconds(30);
  /** What etcd answers a membership change while a member joined moments ago: asked again. */
  static final String NOT_READY_FOR_A_MEMBER = "unhealthy cluster";

  static final String USAGE = """
      usage: quorum recover-survivor --manifest FILE --confirm NAME [--host-root DIR] [--timeout 5m]
               on the survivor's node, every other member stopped: restarts the member of FILE (its etcd.yaml in
               the kubelet's manifest directory) once with --force-new-cluster, then without it; NAME repeats the
               member's name, to confirm that what only the other members held is given up
             quorum rejoin-member --manifest FILE --survivor URL [--manifest-dir DIR] [--host-root DIR] [--timeout 5m]
               on another member's node, its etcd stopped: sets its data directory aside, adds it as a learner
               through the survivor's client URL, writes its manifest (FILE, joining) into DIR (default %s)
               and promotes it once it has caught up
        --host-root DIR   where the node's root is mounted, when run in a container (paths in the manifest are the
                          node's)
      """.formatted(DEFAULT_MANIFEST_DIR);

  private static final List<String> KNOWN = List.of("--manifest", "--confirm", "--survivor", "--manifest-dir",
      "--host-root", "--timeout");

  private final NodeSession node;

  private NodeRecoveryCommand(NodeSession node) {
    this.node = node;
  }

  public static boolean isCommand(String... args) {
    return args.length > 0 && (RECOVER_SURVIVOR.equals(args[0]) || REJOIN_MEMBER.equals(args[0]));
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    String command = args[0];
    CommandOptions options = CommandOptions.parse(args, KNOWN);
    if (options.help()) {
      out.print(USAGE);
      return OK;
    }
    List<String> problems = new ArrayList<>(options.problems());
    Optional<String> manifest = options.get("--manifest");
    if (manifest.isEmpty()) {
      problems.add("--manifest is required");
    }
    if (command.equals(RECOVER_SURVIVOR) && options.get("--confirm").isEmpty()) {
      problems.add("--confirm is required: the survivor's member name");
    }
    if (command.equals(REJOIN_MEMBER) && options.get("--survivor").isEmpty()) {
      problems.add("--survivor is required: the survivor's client URL");
    }
    Duration timeout = DEFAULT_TIMEOUT;
    try {
      timeout = options.get("--timeout").map(value -> WholeDuration.parse("--timeout", value)).orElse(timeout);
    } catch (IllegalArgumentException e) {
      problems.add("--timeout: " + e.getMessage());
    }
    if (!problems.isEmpty()) {
      problems.forEach(p -> err.println("quorum " + command + ": " + p));
      err.print(USAGE);
      return REFUSED;
    }
    NodeRecoveryCommand tool = new NodeRecoveryCommand(new NodeSession(out,
        Path.of(options.getOrDefault("--host-root", "/")), timeout));
    try {
      if (command.equals(RECOVER_SURVIVOR)) {
        tool.recoverSurvivor(Path.of(manifest.get()), options.get("--confirm").get());
      } else {
        tool.rejoinMember(Path.of(manifest.get()), options.get("--survivor").get(),
            Path.of(options.getOrDefault("--manifest-dir", DEFAULT_MANIFEST_DIR)));
      }
      return OK;
    } catch (Stop e) {
      err.println("quorum " + command + ": " + e.getMessage());
      return e.exitCode;
    } catch (EtcdCallFailed e) {
      err.println("quorum " + command + ": etcd did not answer as expected: " + e.getMessage() + "; run the command"
          + " again to go on from here");
      return FAILED;
    }
  }

  // ---- recover-survivor ----

  private void recoverSurvivor(Path manifestFile, String confirm) throws Stop {
    EtcdManifest manifest = node.read(manifestFile);
    if (!manifest.name().equals(confirm)) {
      throw new Stop(REFUSED, "--confirm " + confirm + " is not this member's name (" + manifest.name()
          + "): nothing changed");
    }
    try (EtcdClusterClient client = node.connect(manifest)) {
      String self = manifest.clientUrl();
      if (!manifest.forcingNewCluster()) {
        ClusterView view = withoutLeaderSoon(client, manifest);
        MemberView survivor = member(view, manifest.name()).orElseThrow(() -> new Stop(REFUSED,
            manifest.name() + " is not in the member list its own etcd gives: nothing changed"));
        if (view.members().size() == 1) {
          node.say("%s already runs alone (a one-member cluster): nothing to force", manifest.name());
          nextSteps(manifest, view);
          return;
        }
        if (survivor.leaderKnown()) {
          throw new Stop(REFUSED, manifest.name() + " follows a leader: the cluster has its quorum, or may have it"
              + " where this node cannot see; nothing to recover, nothing changed");
        }
        List<MemberView> answering = view.members().stream()
            .filter(m -> m.id() != survivor.id() && answersWithin(client, m))
            .toList();
        if (!answering.isEmpty()) {
          throw new Stop(REFUSED, "member(s) " + answering.stream().map(m -> m.name() + " at " + m.clientURLs())
              .collect(Collectors.joining(", ")) + " still answer: stop them first (move etcd.yaml out of the"
              + " manifest directory on their nodes); nothing changed");
        }
        node.say("%s holds raft index %d, revision %d; the others (%s) do not answer: forcing a new cluster from its data",
            manifest.name(), survivor.raftIndex(), survivor.revision(), view.members().stream()
                .filter(m -> m.id() != survivor.id()).map(MemberView::name).collect(Collectors.joining(", ")));
        node.write(manifestFile, manifest.forcingNewClusterOnce());
        node.say("wrote --force-new-cluster into %s: the kubelet restarts %s as a one-member cluster", manifestFile,
            manifest.name());
      }
      StatusResponse alone = node.await("etcd at " + self + " to run alone, the leader of a one-member cluster",
          () -> aloneLeader(client, manifest, 0));
      node.say("%s runs alone (raft term %d); taking --force-new-cluster off again", manifest.name(), alone.getRaftTerm());
      EtcdManifest settled = node.read(manifestFile).notForcing();
      node.write(manifestFile, settled);
      node.await("etcd at " + self + " to restart without --force-new-cluster",
          () -> aloneLeader(client, manifest, alone.getRaftTerm()));
      node.say("%s restarted without --force-new-cluster: the cluster serves again, with one member", manifest.name());
      nextSteps(settled, node.read(client, settled));
    }
  }

  /**
   * The cluster as the member sees it, once it no longer follows a leader, or as it is after {@link #LEADER_LOST_WITHIN}:
   * a member keeps following a lost leader for an election timeout, and one that was the leader steps down as late.
   */
  private ClusterView withoutLeaderSoon(EtcdClusterClient client, EtcdManifest manifest) throws Stop {
    Instant until = Instant.now().plus(LEADER_LOST_WITHIN);
    while (true) {
      ClusterView view = node.read(client, manifest);
      boolean following = member(view, manifest.name()).map(MemberView::leaderKnown).orElse(false);
      if (!following || Instant.now().isAfter(until)) {
        return view;
      }
      NodeSession.pause();
    }
  }

  /** The member's status once it leads a one-member cluster, in a term after {@code afterTerm}. */
  private Optional<StatusResponse> aloneLeader(EtcdClusterClient client, EtcdManifest manifest, long afterTerm) {
    try {
      StatusResponse status = client.memberStatus(manifest.clientUrl()).get(5, TimeUnit.SECONDS);
      if (status.getLeader() != status.getHeader().getMemberId() || status.getRaftTerm() <= afterTerm) {
        return Optional.empty();
      }
      ClusterView view = node.read(client, manifest);
      return view.members().size() == 1 ? Optional.of(status) : Optional.empty();
    } catch (Exception e) {
      return Optional.empty(); // restarting
    }
  }

  private void nextSteps(EtcdManifest survivor, ClusterView view) {
    node.say("next, on each other member's node, one at a time (its etcd stopped, its etcd.yaml kept out of the manifest"
        + " directory):");
    node.say("  quorum %s --manifest <that member's etcd.yaml> --survivor %s", REJOIN_MEMBER, survivor.clientUrl());
  }

  // ---- rejoin-member ----

  private void rejoinMember(Path manifestFile, String survivorUrl, Path manifestDir) throws Stop {
    EtcdManifest manifest = node.read(manifestFile);
    Path target = manifestDir.resolve(MANIFEST_FILE);
    try (EtcdClusterClient client = node.connect(manifest, survivorUrl)) {
      Map<String, String> survivorEndpoint = Map.of("survivor", survivorUrl);
      ClusterView view = node.readAt(client, survivorEndpoint);
      if (view.leader().isEmpty()) {
        throw new Stop(REFUSED, "the cluster at " + survivorUrl + " has no leader: recover the survivor first;"
            + " nothing changed");
      }
      Optional<MemberView> listed = view.members().stream()
          .filter(m -> m.peerURLs().contains(manifest.peerUrl())).findFirst();
      if (listed.isPresent() && listed.get().started() && !listed.get().name().equals(manifest.name())) {
        throw new Stop(REFUSED, "peer URL " + manifest.peerUrl() + " belongs to member " + listed.get().name()
            + ": nothing changed");
      }
      if (listed.isEmpty()) {
        if (Files.exists(target)) {
          throw new Stop(REFUSED, target + " exists: this member's etcd may still run; move it out of the manifest"
              + " directory first; nothing changed");
        }
        setAside(manifest);
        ClusterView before = view;
        MemberAddResponse added = node.await("etcd to take " + manifest.name() + " as a learner",
            () -> addedLearner(client, before, manifest));
        node.say("added %s as a learner (id %s)", manifest.name(), Long.toHexString(added.getMember().getID()));
        view = node.readAt(client, survivorEndpoint);
      }
      if (!Files.exists(target) || !node.read(target).flag(EtcdManifest.INITIAL_CLUSTER_STATE).orElse("").equals(
          "existing")) {
        String initialCluster = view.members().stream()
            .map(m -> (m.started() ? m.name() : manifest.name()) + "=" + m.peerURLs().get(0))
            .collect(Collectors.joining(","));
        node.write(target, manifest.joining(initialCluster));
        node.say("wrote %s: %s joins the existing cluster %s", target, manifest.name(), initialCluster);
      }
      MemberView joined = node.await(manifest.name() + " to start as a learner and catch up, then be promoted",
          () -> promoted(client, survivorEndpoint, manifest));
      node.say("%s is a voter again (id %s); %d members", manifest.name(), joined.idHex(),
          node.readAt(client, survivorEndpoint).members().size());
    }
  }

  /**
   * The learner added; none yet while etcd refuses ("unhealthy cluster", as it does for a few seconds after the last
   * member joined, until every member has been up a while).
   */
  private static Optional<MemberAddResponse> addedLearner(EtcdClusterClient client, ClusterView view,
      EtcdManifest manifest) throws Stop {
    try {
      return Optional.of(client.addLearner(endpointsOf(view), view, manifest.peerUrl()));
    } catch (EtcdCallFailed e) {
      if (e.getMessage() != null && e.getMessage().contains(NOT_READY_FOR_A_MEMBER)) {
        return Optional.empty();
      }
      throw new Stop(FAILED, "etcd refused to add " + manifest.name() + ": " + e.getMessage());
    }
  }

  /** The member once it is a started voter; a started learner is promoted on the way (when it has caught up). */
  private Optional<MemberView> promoted(EtcdClusterClient client, Map<String, String> survivor, EtcdManifest manifest) {
    try {
      ClusterView view = node.readAt(client, survivor);
      Optional<MemberView> member = view.members().stream()
          .filter(m -> m.peerURLs().contains(manifest.peerUrl()) && m.started()).findFirst();
      if (member.isEmpty() || !member.get().reachable()) {
        return Optional.empty();
      }
      if (member.get().learner()) {
        client.promoteLearner(endpointsOf(view), view, member.get().id());
        return Optional.empty();
      }
      return member.get().healthy() ? member : Optional.empty();
    } catch (LearnerPromotion.NotCaughtUp | EtcdCallFailed | Stop e) {
      return Optional.empty(); // not caught up yet, or the survivor busy with the change: asked again
    }
  }

  /**
   * The member's old data, renamed beside it: never served again, never deleted by this tool. Tried again for a while
   * when the rename fails: a container stopped moments ago may still hold its mount while the kubelet tears it down.
   */
  private void setAside(EtcdManifest manifest) throws Stop {
    Path data = node.onNode(manifest.dataDir());
    Instant until = Instant.now().plus(SET_ASIDE_WITHIN);
    while (true) {
      try {
        if (!Files.isDirectory(data) || isEmpty(data)) {
          return; // no old data: nothing to set aside
        }
        Path aside = data.resolveSibling(data.getFileName() + ".set-aside-" + Instant.now().getEpochSecond());
        moveAside(data, aside);
        node.say("set %s's old data aside: %s (delete it once the cluster is whole again)", manifest.name(), aside);
        return;
      } catch (IOException e) {
        if (Instant.now().isAfter(until)) {
          throw new Stop(FAILED, "cannot set aside " + data + " (" + e + "): is its etcd still running? nothing"
              + " else changed");
        }
        NodeSession.pause();
      }
    }
  }

  /**
   * The directory renamed; where a file system will not rename it (a directory of an overlay's lower layer, a mount
   * point), its entries moved into a new directory instead, leaving it empty for the member's new data.
   */
  private static void moveAside(Path data, Path aside) throws IOException {
    try {
      Files.move(data, aside);
    } catch (IOException renameRefused) {
      Files.createDirectories(aside);
      try (var entries = Files.list(data)) {
        for (Path entry : entries.toList()) {
          Files.move(entry, aside.resolve(entry.getFileName()));
        }
      }
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (var entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private static Map<String, String> endpointsOf(ClusterView view) {
    return view.members().stream().filter(m -> m.started() && !m.clientURLs().isEmpty())
        .collect(Collectors.toMap(MemberView::name, m -> m.clientURLs().get(0), (a, b) -> a));
  }

  private static Optional<MemberView> member(ClusterView view, String name) {
    return view.members().stream().filter(m -> name.equals(m.name())).findFirst();
  }

  private static boolean answersWithin(EtcdClusterClient client, MemberView member) {
    return member.clientURLs().stream().anyMatch(url -> {
      try {
        client.memberStatus(url).get(STOPPED_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        return true;
      } catch (Exception e) {
        return false;
      }
    });
  }
}
