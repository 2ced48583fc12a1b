package dev.quorum.rig;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** Quorum's generated CRDs (crds/), as a user installs them: applied, then waited for until served. */
public final class QuorumCrds {

  private QuorumCrds() {
  }

  public static List<Path> files() {
    try (Stream<Path> crds = Files.list(Path.of("crds"))) {
      return crds.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void install(KubernetesClient kube) {
    for (Path crd : files()) {
      try {
        kube.load(Files.newInputStream(crd)).items()
            .forEach(o -> kube.resource(o).forceConflicts().serverSideApply());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    await("EtcdCluster CRD established").atMost(Duration.ofSeconds(30)).until(() -> {
      var crd = kube.apiextensions().v1().customResourceDefinitions().withName("etcdclusters.etcd.quorum.dev").get();
      return crd != null && crd.getStatus() != null && crd.getStatus().getConditions().stream()
          .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    });
  }
}
