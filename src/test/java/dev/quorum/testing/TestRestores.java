package dev.quorum.testing;

import static org.awaitility.Awaitility.await;

import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdRestore;
import dev.quorum.api.v1alpha1.EtcdRestoreSpec;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.api.v1alpha1.InPlaceRestore;
import dev.quorum.api.v1alpha1.SnapshotSource;
import dev.quorum.rig.RunningOperator;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;

/** What restore tests share. */
public final class TestRestores {

  private TestRestores() {}

  /** Creates an EtcdRestore of {@code cluster} in place (confirmed by its name) from {@code source}. */
  public static EtcdRestore createInPlace(KubernetesClient kube, String namespace, String name, String cluster,
      SnapshotSource source) {
    EtcdRestoreSpec spec = spec(source, cluster);
    InPlaceRestore confirm = new InPlaceRestore();
    confirm.setConfirmClusterName(cluster);
    spec.setInPlace(confirm);
    return create(kube, namespace, name, spec);
  }

  /** Creates an EtcdRestore of {@code source} into a new cluster {@code cluster} of {@code clusterSpec}. */
  public static EtcdRestore createIntoNewCluster(KubernetesClient kube, String namespace, String name, String cluster,
      SnapshotSource source, EtcdClusterSpec clusterSpec) {
    EtcdRestoreSpec spec = spec(source, cluster);
    spec.setClusterSpec(clusterSpec);
    return create(kube, namespace, name, spec);
  }

  private static EtcdRestoreSpec spec(SnapshotSource source, String cluster) {
    EtcdRestoreSpec spec = new EtcdRestoreSpec();
    spec.setSource(source);
    spec.setClusterName(cluster);
    return spec;
  }

  private static EtcdRestore create(KubernetesClient kube, String namespace, String name, EtcdRestoreSpec spec) {
    EtcdRestore restore = new EtcdRestore();
    restore.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    restore.setSpec(spec);
    return kube.resources(EtcdRestore.class).inNamespace(namespace).resource(restore).create();
  }

  /** The snapshot an EtcdBackup of the same namespace took. */
  public static SnapshotSource fromBackup(String backup) {
    SnapshotSource source = new SnapshotSource();
    source.setBackup(backup);
    return source;
  }

  /** Waits until the EtcdRestore has Succeeded or Failed (failing at once if the operator exits); its status. */
  public static EtcdRestoreStatus awaitFinished(KubernetesClient kube, String namespace, String name,
      RunningOperator operator) {
    return awaitFinished(kube, namespace, name, operator::assertAlive);
  }

  /** @param operatorUp fails when the operator is gone, so the wait ends at once */
  public static EtcdRestoreStatus awaitFinished(KubernetesClient kube, String namespace, String name,
      Runnable operatorUp) {
    await(name + " finished").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() -> {
      operatorUp.run();
      EtcdRestore current = kube.resources(EtcdRestore.class).inNamespace(namespace).withName(name).get();
      return current.getStatus() != null && current.getStatus().getPhase() != null
          && current.getStatus().getPhase().finished();
    });
    return kube.resources(EtcdRestore.class).inNamespace(namespace).withName(name).get().getStatus();
  }
}
