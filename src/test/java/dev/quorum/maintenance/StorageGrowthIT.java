package dev.quorum.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.model.Annotations;
import dev.quorum.rig.LocalVolumeProvisioner;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.ClientServiceWriter;
import dev.quorum.testing.Clusters;
import dev.quorum.testing.MembershipClusters;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * storage.size grown on the rig. Where the StorageClass cannot expand (local volumes, as in production) the operator
 * says so in Progressing and an event, naming the claims and their StorageClass, and changes nothing else: no claim,
 * no pod, no quota. Where it can (the rig's expandable class, whose provisioner is its resizer), every claim grows, and
 * once every volume has, the quota follows: the members restart one at a time for it, and no acknowledged write is
 * lost.
 */
class StorageGrowthIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static final String CLUSTER = "grow";
  static final long VOLUME_BYTES = 128L * 1024 * 1024;
  /** Writes may fail while a leader is elected (about a second here) and while the Service catches up. */
  static final Duration LONGEST_ACCEPTABLE_OUTAGE = Duration.ofSeconds(5);
  static String ns;
  static KubernetesClient kube;
  static OperatorProcess operator;

  @BeforeAll
  static void operator() {
    ns = RIG.namespace();
    kube = RIG.client();
    RIG.installQuorumCrds();
    operator = RIG.startOperatorProcess("storage-growth-it", Map.of("QUORUM_STATUS_REFRESH_INTERVAL", "2s"));
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void aLargerSizeTheStorageClassCannotGiveIsReportedAndChangesNothing() {
    MembershipClusters.create(kube, ns, CLUSTER, null);
    Clusters.awaitAvailable(kube, ns, CLUSTER, operator);
    await("the volumes' size on record").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
        .until(() -> String.valueOf(VOLUME_BYTES).equals(cluster().getMetadata().getAnnotations()
            .get(Annotations.VOLUME_SIZE)));
    List<String> podsBefore = podUids();
    String quota = "--quota-backend-bytes=" + (VOLUME_BYTES / 4);
    assertThat(kube.pods().inNamespace(ns).withName(CLUSTER + "-0").get().getSpec().getContainers().get(0).getArgs())
        .as("half of what a 128Mi volume holds beyond half of it for the log").contains(quota);

    // as kubectl patch --type=merge would
    kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"storage\":{\"size\":\"256Mi\"}}}");

    Condition progressing = await("Progressing says the volumes cannot grow").atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500)).until(() -> {
          operator.assertAlive();
          return cluster().getStatus().condition(ConditionTypes.PROGRESSING);
        }, c -> c.isPresent() && "VolumeExpansionUnsupported".equals(c.get().getReason())).orElseThrow();
    assertThat(progressing.getStatus()).isEqualTo("False");
    assertThat(progressing.getMessage()).contains("storage.size grew to 256Mi", CLUSTER + "-0", "cannot grow",
        "allowVolumeExpansion");
    assertThat(MembershipClusters.reasons(kube, ns, CLUSTER)).contains("VolumeExpansionUnsupported");

    // nothing else changes, pass after pass
    await("nothing changes").during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(500)).until(() -> podUids().equals(podsBefore)
            && claimRequests().stream().allMatch("128Mi"::equals)
            && String.valueOf(VOLUME_BYTES).equals(cluster().getMetadata().getAnnotations().get(Annotations.VOLUME_SIZE)));
    assertThat(kube.pods().inNamespace(ns).withName(CLUSTER + "-0").get().getSpec().getContainers().get(0).getArgs())
        .as("the quota stays what the volumes can hold").contains(quota);
    assertThat(Clusters.isAvailable(cluster())).isTrue();
  }

  @Test
  void volumesThatCanGrowDoAndTheQuotaFollowsMemberByMemberWithoutLosingAWrite() throws Exception {
    String cluster = "expand";
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.getStorage().setSize("128Mi");
    spec.getStorage().setStorageClassName(LocalVolumeProvisioner.EXPANDABLE_STORAGE_CLASS);
    EtcdCluster resource = new EtcdCluster();
    resource.setMetadata(new ObjectMetaBuilder().withName(cluster).withNamespace(ns).build());
    resource.setSpec(spec);
    kube.resources(EtcdCluster.class).inNamespace(ns).resource(resource).create();
    Clusters.awaitAvailable(kube, ns, cluster, operator);
    ClientServiceWriter writer = new ClientServiceWriter(kube, ns, cluster + "-client", Duration.ofMillis(50));
    try {
      kube.resources(EtcdCluster.class).inNamespace(ns).withName(cluster)
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"storage\":{\"size\":\"256Mi\"}}}");

      String grownQuota = "--quota-backend-bytes=" + (2 * VOLUME_BYTES / 4);
      await("every volume grown, and every member on the new quota").atMost(Duration.ofMinutes(4))
          .pollInterval(Duration.ofMillis(500)).until(() -> {
            operator.assertAlive();
            EtcdCluster now = cluster(cluster);
            return claimCapacities(cluster).equals(List.of("256Mi", "256Mi", "256Mi"))
                && String.valueOf(2 * VOLUME_BYTES).equals(now.getMetadata().getAnnotations().get(Annotations.VOLUME_SIZE))
                && kube.pods().inNamespace(ns).list().getItems().stream()
                    .filter(p -> p.getMetadata().getName().matches(cluster + "-[0-9]+"))
                    .filter(p -> p.getSpec().getContainers().get(0).getArgs().contains(grownQuota)).count() == 3
                && Clusters.isAvailable(now) && now.getStatus().getReadyMembers() == 3;
          });
      assertThat(MembershipClusters.reasons(kube, ns, cluster).stream().filter("VolumeExpanding"::equals)).hasSize(3);
    } finally {
      writer.stopAndAssertKept(LONGEST_ACCEPTABLE_OUTAGE);
    }
  }

  private static EtcdCluster cluster() {
    return cluster(CLUSTER);
  }

  private static EtcdCluster cluster(String name) {
    return kube.resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
  }

  private static List<String> podUids() {
    return kube.pods().inNamespace(ns).list().getItems().stream()
        .filter(p -> p.getMetadata().getName().startsWith(CLUSTER + "-"))
        .map(Pod::getMetadata).map(m -> m.getName() + "/" + m.getUid()).sorted().toList();
  }

  private static List<String> claimRequests() {
    return claims(CLUSTER).map(PersistentVolumeClaim::getSpec)
        .map(s -> Optional.ofNullable(s.getResources().getRequests().get("storage")).map(Object::toString).orElse(""))
        .toList();
  }

  private static List<String> claimCapacities(String cluster) {
    return claims(cluster).map(c -> Optional.ofNullable(c.getStatus()).map(s -> s.getCapacity())
        .map(capacity -> capacity.get("storage")).map(Object::toString).orElse("")).toList();
  }

  private static java.util.stream.Stream<PersistentVolumeClaim> claims(String cluster) {
    return kube.persistentVolumeClaims().inNamespace(ns).list().getItems().stream()
        .filter(c -> c.getMetadata().getName().startsWith("data-" + cluster + "-"))
        .sorted(java.util.Comparator.comparing(c -> c.getMetadata().getName()));
  }
}
