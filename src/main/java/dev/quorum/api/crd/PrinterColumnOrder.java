package dev.quorum.api.crd;

import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.util.Comparator;
import java.util.List;

/**
 * Puts printer columns in the order kubectl should show them. The CRD generator sorts columns by
 * JSON path, which would print AGE first; this runs at build time only (quarkus.operator-sdk.crd.post-processor).
 */
public class PrinterColumnOrder implements CRDPostProcessor {

  // one list for every CRD: each has only some of these columns, and their relative order is what counts
  static final List<String> ORDER = List.of("SIZE", "READY", "VERSION", "LEADER", "AVAILABLE",
      "CLUSTER", "PHASE", "BYTES", "REVISION", "LOCATION", "SCHEDULE", "SUSPEND", "LAST SCHEDULE", "LAST SUCCESS",
      "AGE");

  @Override
  public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
    if (crd instanceof CustomResourceDefinition definition) {
      definition.getSpec().getVersions().forEach(version -> {
        List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
        if (columns != null) {
          columns.sort(Comparator.comparingInt(PrinterColumnOrder::rank));
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
