package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.ClusterTls;
import dev.quorum.api.v1alpha1.DefragmentationPolicy;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdTuning;
import dev.quorum.api.v1alpha1.StaticPodSettings;
import dev.quorum.model.CronSchedule;
import dev.quorum.model.MemberBootstrapRecords;
import java.util.ArrayList;
import java.util.List;

/**
 * The admission rules of the CRD, checked again in the operator: a spec can get past admission
 * (CRD installed without its rules, objects created before a rule existed) and must then create nothing.
 */
public final class SpecValidator {

  private SpecValidator() {}

  /** Human-readable problems; empty when the spec is valid. */
  public static List<String> problems(EtcdClusterSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      problems.add("spec is missing");
      return problems;
    }
    int size = spec.getSize();
    if (size < 3 || size > EtcdClusterSpec.MAX_SIZE || size % 2 == 0) {
      problems.add(EtcdClusterSpec.SIZE_MESSAGE + " (got " + size + ")");
    }
    if (spec.staticPods() != (spec.getStaticPod() != null)) {
      problems.add(EtcdClusterSpec.STATIC_POD_SETTINGS_MESSAGE);
    } else if (spec.staticPods() && (spec.getStaticPod().getNodeSelector() == null
        || spec.getStaticPod().getNodeSelector().isEmpty())) {
      problems.add(StaticPodSettings.NODE_SELECTOR_MESSAGE);
    }
    if (spec.getTls() != null && (spec.getTls().getCertificates() == ClusterTls.Certificates.Secret)
        == (spec.getTls().getSecretName() == null || spec.getTls().getSecretName().isBlank())) {
      problems.add(ClusterTls.SECRET_NAME_MESSAGE);
    }
    if (spec.getTls() != null && (spec.getTls().getCertificates() == ClusterTls.Certificates.CertManager)
        == (spec.getTls().getIssuerRef() == null || spec.getTls().getIssuerRef().getName() == null)) {
      problems.add(ClusterTls.ISSUER_MESSAGE);
    }
    DefragmentationPolicy defragmentation = spec.getDefragmentation();
    if (defragmentation != null) {
      if (defragmentation.getSchedule() == null && defragmentation.getFreeSpacePercent() == null) {
        problems.add(DefragmentationPolicy.NO_TRIGGER_MESSAGE);
      }
      if (defragmentation.getSchedule() != null) {
        try {
          CronSchedule.parse(defragmentation.getSchedule(), defragmentation.getTimeZone());
        } catch (CronSchedule.InvalidSchedule e) {
          // CEL checks the shape only: the fields themselves and the time zone are checked here
          problems.add("spec.defragmentation: " + e.getMessage());
        }
      }
    }
    EtcdTuning etcd = spec.getEtcd();
    if (etcd != null) {
      problems.addAll(flagProblems(etcd));
      if (!timeoutsValid(etcd)) {
        problems.add(EtcdTuning.TIMEOUT_MESSAGE);
      }
    }
    return problems;
  }

  /** The spec against what runs: records that cannot be read would leave the members' bootstrap unknown. */
  public static List<String> problems(EtcdClusterSpec spec, MemberBootstrapRecords records) {
    List<String> problems = problems(spec);
    if (!records.unreadable().isEmpty()) {
      problems.add("the bootstrap records of " + String.join(", ", records.unreadable().keySet())
          + " in the members ConfigMap cannot be read; each needs initial-cluster, initial-cluster-state (new or"
          + " existing) and initial-cluster-token");
    }
    return problems;
  }

  private static List<String> flagProblems(EtcdTuning etcd) {
    List<String> problems = new ArrayList<>();
    if (etcd.getExtraArgs() == null) {
      return problems;
    }
    List<String> owned = etcd.getExtraArgs().keySet().stream()
        .filter(EtcdTuning.OWNED_FLAGS::contains)
        .sorted()
        .toList();
    if (!owned.isEmpty()) {
      problems.add(EtcdTuning.OWNED_FLAGS_MESSAGE + " (got " + String.join(", ", owned) + ")");
    }
    boolean badName = etcd.getExtraArgs().keySet().stream().anyMatch(k -> k.isEmpty() || k.startsWith("-"));
    if (badName) {
      problems.add(EtcdTuning.FLAG_NAME_MESSAGE);
    }
    return problems;
  }

  private static boolean timeoutsValid(EtcdTuning etcd) {
    int heartbeat = etcd.getHeartbeatIntervalMillis() != null
        ? etcd.getHeartbeatIntervalMillis() : EtcdTuning.DEFAULT_HEARTBEAT_MILLIS;
    int election = etcd.getElectionTimeoutMillis() != null
        ? etcd.getElectionTimeoutMillis() : EtcdTuning.DEFAULT_ELECTION_TIMEOUT_MILLIS;
    return (long) election >= 5L * heartbeat;
  }
}
