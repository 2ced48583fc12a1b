package dev.quorum.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.ConditionTypes;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.model.Annotations;
import dev.quorum.rig.OperatorProcess;
import dev.quorum.rig.RigSession;
import dev.quorum.testing.Clusters;
import dev.quorum.testing.MembershipClusters;
import io.fabric8.kubernetes.api.model.Condition;
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
 * storage.size grown on the rig, whose local volumes (as local storage in production) cannot expand: the operator says
 * so in Progressing and an event, naming the claims and their StorageClass, and changes nothing else: no claim, no pod,
 * no quota.
 */
class StorageGrowthIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static final String CLUSTER = "grow";
  static final long VOLUME_BYTES = 128L * 1024 * 1024;
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

  private static EtcdCluster cluster() {
    return kube.resources(EtcdCluster.class).inNamespace(ns).withName(CLUSTER).get();
  }

  private static List<String> podUids() {
    return kube.pods().inNamespace(ns).list().getItems().stream()
        .filter(p -> p.getMetadata().getName().startsWith(CLUSTER + "-"))
        .map(Pod::getMetadata).map(m -> m.getName() + "/" + m.getUid()).sorted().toList();
  }

  private static List<String> claimRequests() {
    return kube.persistentVolumeClaims().inNamespace(ns).list().getItems().stream()
        .filter(c -> c.getMetadata().getName().startsWith("data-" + CLUSTER + "-"))
        .map(PersistentVolumeClaim::getSpec).map(s -> Optional.ofNullable(s.getResources().getRequests().get("storage"))
            .map(Object::toString).orElse("")).toList();
  }
}
