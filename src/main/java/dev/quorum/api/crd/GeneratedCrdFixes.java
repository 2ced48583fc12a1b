package dev.quorum.api.crd;

import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.util.Comparator;
import java.util.List;

/**
 * Corrects what the CRD generator gets wrong, at build time only (quarkus.operator-sdk.crd.post-processor):
 * <ul>
 *   <li>printer columns in the order kubectl should show them: the generator sorts them by JSON path, which would
 *       print AGE first;</li>
 *   <li>a scale subresource only on EtcdCluster: the generator also gives one to a resource that embeds a cluster's
 *       spec (EtcdRestore's clusterSpec), whose replicas are not its own.</li>
 * </ul>
 */
public class GeneratedCrdFixes implements CRDPostProcessor {

  static final String SCALABLE = "etcdclusters.etcd.quorum.dev";

  // one list for every CRD: each has only some of these columns, and their relative order is what counts
  static final List<String> ORDER = List.of("SIZE", "READY", "VERSION", "LEADER", "AVAILABLE",
      "CLUSTER", "FROM", "PHASE", "BYTES", "REVISION", "LOCATION", "SOURCE", "SCHEDULE", "SUSPEND", "LAST SCHEDULE", "LAST SUCCESS",
      "AGE");

  @Override
  public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
    if (crd instanceof CustomResourceDefinition definition) {
      definition.getSpec().getVersions().forEach(version -> {
        List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
        if (columns != null) {
          columns.sort(Comparator.comparingInt(GeneratedCrdFixes::rank));
        }
        if (!SCALABLE.equals(definition.getMetadata().getName()) && version.getSubresources() != null) {
          version.getSubresources().setScale(null);
        }
      });
    }
    return crd;
  }

  private static int rank(CustomResourceColumnDefinition column) {
    int index = ORDER.indexOf(column.getName());
    return index < 0 ? ORDER.size() : index;
  }
}
