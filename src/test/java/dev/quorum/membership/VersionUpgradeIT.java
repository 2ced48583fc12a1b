package dev.quorum.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.rig.ChartOperator;
import dev.quorum.rig.ClientResult;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.ClientServiceWriter;
import dev.quorum.testing.MembershipClusters;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rolling upgrade 3.5 → 3.6 on the rig with a writer putting a key every 50 ms through the client Service: one
 * member at a time, the leader last after handing leadership over, no acknowledged write lost; and back to 3.5 the
 * same way, through etcd's downgrade API. From a 3.5 patch older than etcd's 3.6 upgrade guide starts from, 3.6 is
 * refused until the members run a recent enough patch. A version whose
 * binary cannot start is rolled back with a Degraded condition naming the member and why; bad version changes are
 * refused with a message.
 */
class VersionUpgradeIT {

  static final String FROM = "3.5.35";
  static final String TO = EtcdClusterSpec.DEFAULT_VERSION;

  @RegisterExtension
  static final RigSession RIG = new RigSession()
      .withOperator(Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s",
          "QUORUM_MEMBERSHIP_UPGRADE_HEALTH_TIMEOUT", "25s"));
  static String ns;
  static KubernetesClient kube;
  static ChartOperator operator;

  @BeforeAll
  static void operator() {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    operator = RIG.operator();
  }

  @Test
  void threeFiveToThreeSixAndBackOneMemberAtATimeLeaderLastWhileWriting() throws Exception {
    String cluster = "upgrade";
    // a 3.5 patch etcd's 3.6 upgrade guide does not start from: 3.6 is refused and nothing changes
    String oldPatch = RIG.rig().tools().upgradePathEtcdVersions().get(0);
    create(cluster, oldPatch);
    awaitVersion(cluster, oldPatch);
    setVersion(cluster, TO);
    awaitDegraded(cluster, "InvalidSpec", "version " + TO + " is a minor upgrade that etcd's 3.6 upgrade guide starts"
        + " only from 3.5.26 or later: members run " + oldPatch + "; set version 3.5.26");
    assertThat(status(cluster).getVersion()).isEqualTo(oldPatch);
    assertThat(events(cluster, "RollingUpdate")).as("no member restarted").isEmpty();
    // a patch upgrade first, as the guide asks
    setVersion(cluster, FROM);
    awaitVersion(cluster, FROM);
    assertThat(events(cluster, "RollingUpdate")).hasSize(3);
    // the next member restarts only once the operator reaches the one before: it never sees a quorum lost
    assertThat(reasons(cluster)).doesNotContain("QuorumLost");

    String leaderBefore = status(cluster).getLeader();
    ClientServiceWriter writer = new ClientServiceWriter(kube, ns, cluster + "-client", Duration.ofMillis(50));
    try {
      setVersion(cluster, TO);
      awaitVersion(cluster, TO);
    } finally {
      writer.stopAndAssertKept(Duration.ofSeconds(5));
    }
    List<Event> rolls = events(cluster, "RollingUpdate");
    assertThat(rolls).hasSize(6);
    assertThat(rolls.get(5).getMessage()).as("the leader goes last").contains("restarting " + leaderBefore + " ");
    assertThat(reasons(cluster)).contains("UpgradeStarted", "LeaderMoved", "UpgradeCompleted");
    assertThat(kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).get().getMetadata()
        .getAnnotations()).doesNotContainKey("etcd.quorum.dev/upgrade-from");

    // the members run 3.6 now: back to a 3.5 patch etcd's guide would not upgrade from, or on two minors, is refused
    // and changes nothing
    setVersion(cluster, "3.5.21");
    awaitDegraded(cluster, "InvalidSpec", "version 3.5.21 is a downgrade to a 3.5 patch");
    setVersion(cluster, "3.8.0");
    awaitDegraded(cluster, "InvalidSpec", "skips a minor release");
    assertThat(status(cluster).getVersion()).isEqualTo(TO);

    // back to 3.5 through etcd's downgrade API: enabled, the data rewritten, then one member at a time, leader last
    String leaderOn36 = status(cluster).getLeader();
    writer = new ClientServiceWriter(kube, ns, cluster + "-client", Duration.ofMillis(50));
    try {
      setVersion(cluster, FROM);
      awaitVersion(cluster, FROM);
    } finally {
      writer.stopAndAssertKept(Duration.ofSeconds(5));
    }
    assertThat(reasons(cluster)).contains("DowngradeEnabled").doesNotContain("QuorumLost");
    assertThat(events(cluster, "UpgradeStarted").stream().map(Event::getMessage))
        .anyMatch(m -> m.startsWith("downgrading the members from etcd " + TO + " to " + FROM));
    List<Event> rollsBack = events(cluster, "RollingUpdate");
    assertThat(rollsBack).hasSize(9);
    assertThat(rollsBack.get(8).getMessage()).as("the leader goes last").contains("restarting " + leaderOn36 + " ");
    ClientResult endpoints = RIG.etcdctl("--endpoints=http://" + cluster + "-client." + ns
        + ".svc.cluster.local:2379", "endpoint", "status", "--cluster", "-w", "json");
    assertThat(endpoints.output()).as(endpoints.output()).contains("\"version\":\"" + FROM + "\"")
        .doesNotContain("\"version\":\"" + TO + "\"");
    kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).delete();
  }

  @Test
  void aVersionWhoseBinaryCannotStartIsRolledBackAndReported() {
    String cluster = "bad-version";
    create(cluster, TO);
    awaitVersion(cluster, TO);
    String broken = "3.6.99"; // no such image: its pod cannot start

    setVersion(cluster, broken);

    Condition degraded = awaitDegraded(cluster, "UpgradeRolledBack", "did not become ready on etcd " + broken);
    assertThat(degraded.getMessage()).containsPattern(cluster + "-[0-2] did not become ready").contains("ErrImagePull")
        .contains("go back to " + TO);
    assertThat(reasons(cluster)).contains("UpgradeRolledBack");
    await("every member back on " + TO).atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          EtcdCluster c = kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).get();
          return c.getStatus().getReadyMembers() == 3 && TO.equals(c.getStatus().getVersion())
              && kube.pods().inNamespace(ns).withLabel("etcd.quorum.dev/cluster", cluster).list().getItems().stream()
                  .allMatch(p -> TO.equals(p.getMetadata().getAnnotations().get("etcd.quorum.dev/version")));
        });
    // still reported while the spec asks for the version that failed; a new version is a new attempt
    assertThat(condition(cluster, ConditionTypes.DEGRADED).map(Condition::getReason)).contains("UpgradeRolledBack");
    setVersion(cluster, TO);
    await("the rollback forgotten").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() ->
        condition(cluster, ConditionTypes.DEGRADED).map(c -> "False".equals(c.getStatus())).orElse(false));
    kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).delete();
  }

  private static void create(String cluster, String version) {
    MembershipClusters.create(kube, ns, cluster, version);
  }

  private static void setVersion(String cluster, String version) {
    MembershipClusters.edit(kube, ns, cluster, spec -> spec.setVersion(version));
  }

  private static void awaitVersion(String cluster, String version) {
    await(cluster + " on " + version).atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
      if (!operator.isAlive()) {
        throw new IllegalStateException("the operator exited:\n" + operator.logTail(40));
      }
      EtcdCluster c = kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).get();
      return c.getStatus() != null && c.getStatus().getReadyMembers() == 3 && version.equals(c.getStatus().getVersion())
          && c.getStatus().getMembers().stream().allMatch(m -> m.isReady())
          && condition(cluster, ConditionTypes.PROGRESSING).map(x -> "False".equals(x.getStatus())).orElse(false);
    });
  }

  private static Condition awaitDegraded(String cluster, String reason, String message) {
    await(cluster + " Degraded " + reason).atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
        .until(() -> condition(cluster, ConditionTypes.DEGRADED)
            .filter(c -> reason.equals(c.getReason()) && c.getMessage().contains(message)).isPresent());
    return condition(cluster, ConditionTypes.DEGRADED).orElseThrow();
  }

  private static EtcdClusterStatus status(String cluster) {
    return kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).get().getStatus();
  }

  private static Optional<Condition> condition(String cluster, String type) {
    EtcdCluster c = kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster).get();
    return c == null || c.getStatus() == null ? Optional.empty() : c.getStatus().condition(type);
  }

  private static List<Event> events(String cluster, String reason) {
    return kube.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> cluster.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
        .sorted(Comparator.comparing(Event::getFirstTimestamp).thenComparing(e -> e.getMetadata().getCreationTimestamp()))
        .toList();
  }

  private static List<String> reasons(String cluster) {
    return MembershipClusters.reasons(kube, ns, cluster);
  }
}
