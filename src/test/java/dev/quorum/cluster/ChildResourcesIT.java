package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.rig.RigSession;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
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

  private static ConfigMap create(KubernetesClient kube) {
    return kube.configMaps().inNamespace(RIG.namespace()).resource(new ConfigMapBuilder().withNewMetadata()
        .withName("labelled").addToLabels("app", "x").endMetadata().addToData("k", "v").build()).create();
  }

  private static ConfigMap live(KubernetesClient kube) {
    return kube.configMaps().inNamespace(RIG.namespace()).withName("labelled").get();
  }
}
