package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.api.v1alpha1.EtcdRecovery;
import dev.quorum.api.v1alpha1.EtcdRecoveryStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.RecoverySource;
import dev.quorum.rig.RigSession;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Labels the operator keeps on its children are patched on the object as it was read, against the real API server: an
 * object changed or recreated under the same name since is left alone (a replaced member's new pod never gets the
 * voter label its predecessor was due).
 */
class ChildResourcesIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();
  static final String KEY = "etcd.quorum.dev/voter";

  @Test
  void aLabelIsPatchedOnlyOnTheObjectAsItWasRead() {
    KubernetesClient kube = RIG.client();
    ChildResources children = new ChildResources(kube);
    ConfigMap first = create(kube);

    assertThat(children.label(first, KEY, Optional.of("true"))).isTrue();
    assertThat(live(kube).getMetadata().getLabels()).containsEntry(KEY, "true");

    // changed since it was read: the stale copy changes nothing
    assertThat(children.label(first, KEY, Optional.empty())).isFalse();
    assertThat(live(kube).getMetadata().getLabels()).containsEntry(KEY, "true");

    // recreated under the same name: the copy of the one before changes nothing on the new one
    ConfigMap labelled = live(kube);
    kube.configMaps().inNamespace(RIG.namespace()).withName("labelled").delete();
    org.awaitility.Awaitility.await().until(() -> kube.configMaps().inNamespace(RIG.namespace()).withName("labelled")
        .get() == null);
    ConfigMap second = create(kube);
    assertThat(children.label(labelled, KEY, Optional.of("true"))).isFalse();
    assertThat(live(kube).getMetadata().getLabels()).doesNotContainKey(KEY);

    assertThat(children.label(second, KEY, Optional.of("true"))).isTrue();
    assertThat(children.label(live(kube), KEY, Optional.empty())).isTrue();
    assertThat(live(kube).getMetadata().getLabels()).doesNotContainKey(KEY);
  }

  /**
   * A recovery's status is written after its finalizer changed in the same pass, from the copy read before: the write
   * is not a conflict (it was, and each such pass failed and waited for its retry).
   */
  @Test
  void aRecoverysStatusIsWrittenFromTheCopyReadBeforeItsFinalizerChanged() {
    KubernetesClient kube = RIG.client();
    RIG.installQuorumCrds();
    ChildResources children = new ChildResources(kube);
    EtcdRecovery recovery = new EtcdRecovery();
    recovery.setMetadata(new ObjectMetaBuilder().withName("status-after-finalizer").withNamespace(RIG.namespace())
        .build());
    recovery.getSpec().setClusterName("demo");
    recovery.getSpec().setConfirmClusterName("demo");
    recovery.getSpec().setFrom(RecoverySource.Survivor);
    EtcdRecovery read = kube.resource(recovery).create();

    children.finalizer(read, EtcdRecovery.IN_PROGRESS_FINALIZER, true);
    EtcdRecovery written = Serialization.clone(read);
    written.setStatus(new EtcdRecoveryStatus());
    written.getStatus().setPhase(OperationPhase.Running);
    written.getStatus().setSurvivor("demo-2");
    children.patchStatus(written);

    EtcdRecovery live = kube.resources(EtcdRecovery.class).inNamespace(RIG.namespace())
        .withName("status-after-finalizer").get();
    assertThat(live.getStatus().getSurvivor()).isEqualTo("demo-2");
    assertThat(live.hasFinalizer(EtcdRecovery.IN_PROGRESS_FINALIZER)).as("the finalizer kept").isTrue();
    children.finalizer(live, EtcdRecovery.IN_PROGRESS_FINALIZER, false);
    kube.resource(live).delete();
  }

  private static ConfigMap create(KubernetesClient kube) {
    return kube.configMaps().inNamespace(RIG.namespace()).resource(new ConfigMapBuilder().withNewMetadata()
        .withName("labelled").addToLabels("app", "x").endMetadata().addToData("k", "v").build()).create();
  }

  private static ConfigMap live(KubernetesClient kube) {
    return kube.configMaps().inNamespace(RIG.namespace()).withName("labelled").get();
  }
}
