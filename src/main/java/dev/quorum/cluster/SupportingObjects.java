package dev.quorum.cluster;

import dev.quorum.api.v1alpha1.EtcdBackupSchedule;
import dev.quorum.etcd.ClusterView;
import dev.quorum.model.ClusterMembers;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import dev.quorum.specs.BackupScheduleBuilder;
import dev.quorum.specs.CertManagerCertificateBuilder;
import dev.quorum.specs.MemberPodMonitorBuilder;
import dev.quorum.specs.ClientServiceBuilder;
import dev.quorum.specs.NodeAgentBuilder;
import dev.quorum.specs.PeerServiceBuilder;
import dev.quorum.specs.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Optional;

/**
 * The objects around the members, each kept as the model says: the Services (and the voter labels the client Service
 * routes by), the TLS Secrets and cert-manager Certificate, the disruption budget, StaticPod mode's node agent, the
 * EtcdBackupSchedule of an inline {@code spec.backup}, and the members' PodMonitor when asked for.
 */
final class SupportingObjects {


  /** An object the cluster needs exists under the same name but belongs to someone else. */
  static final class ForeignObjectException extends RuntimeException {
    ForeignObjectException(String message) {
      super(message);
    }
  }

  private final ChildResources children;

  SupportingObjects(ChildResources children) {
    this.children = children;
  }

  /**
   * Clients reach voting members only, so the labels the client Service selects by are right before it is applied;
   * the peer Service first: members resolve each other through it as soon as they start.
   */
  void services(EtcdClusterModel model, List<Pod> pods, Optional<ClusterView> etcd) {
    if (!model.staticPods()) {
      etcd.map(reading -> VoterLabels.changes(pods, reading)).orElse(List.of())
          .forEach(change -> children.label(change.pod(), Labels.VOTER, change.value()));
    }
    children.apply(List.of(PeerServiceBuilder.build(model), ClientServiceBuilder.build(model)));
  }

  /** Before any member: its pod mounts the certificates. */
  void certificates(EtcdClusterModel model, MemberTls.Pass tls) {
    children.apply(tls.secrets().stream().filter(secret -> tls.unchangedSinceRead(secret.getMetadata().getName(),
        children.secretData(model.namespace(), secret.getMetadata().getName()))).toList());
    keepCertificate(model);
  }

  /** certificates: CertManager: the members' Certificate, which cert-manager turns into their Secret. */
  void keepCertificate(EtcdClusterModel model) {
    if (!model.tls().certManagerCertificates()) {
      return;
    }
    try {
      children.apply(CertManagerCertificateBuilder.CERTIFICATES, CertManagerCertificateBuilder.build(model));
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        throw new ForeignObjectException("certificates: CertManager needs cert-manager's Certificate resource"
            + " (certificates.cert-manager.io), which this Kubernetes cluster does not serve: install cert-manager,"
            + " or use certificates: Operator or Secret");
      }
      throw e;
    }
  }

  /** StaticPod mode: the DaemonSet whose agents write the manifests into the kubelets' directories. */
  void nodeAgent(EtcdClusterModel model, List<ConfigMap> configMaps) {
    if (model.staticPods()) {
      children.apply(NodeAgentBuilder.build(model, StaticPodMembers.manifests(model, configMaps)));
    }
  }

  /**
   * The PodMonitor of the members' metrics, when the operator is asked to keep one ({@code
   * quorum.metrics.member-pod-monitors}); not for static pods, which name no port.
   *
   * @return why it cannot be kept (the Prometheus Operator's resource is not served, or the call was refused), if it
   *     cannot
   */
  Optional<String> memberPodMonitor(EtcdClusterModel model) {
    if (model.staticPods()) {
      return Optional.empty();
    }
    try {
      children.apply(MemberPodMonitorBuilder.POD_MONITORS, MemberPodMonitorBuilder.build(model));
      return Optional.empty();
    } catch (KubernetesClientException e) {
      // monitoring never stands in the way of the members' care: any refusal is reported, and the pass goes on
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return Optional.of("the operator is set to keep a PodMonitor of the members' metrics"
            + " (QUORUM_METRICS_MEMBER_POD_MONITORS, the chart's metrics.memberPodMonitors.enabled), but this"
            + " Kubernetes cluster does not serve podmonitors.monitoring.coreos.com: install the Prometheus"
            + " Operator's CRDs, or turn the setting off; nothing else is affected");
      }
      return Optional.of("the members' PodMonitor " + MemberPodMonitorBuilder.name(model) + " could not be applied"
          + " (HTTP " + e.getCode() + ": " + (e.getStatus() != null && e.getStatus().getMessage() != null
          ? e.getStatus().getMessage() : e.getMessage()) + "); nothing else is affected");
    }
  }

  /** A static pod is not evicted (a drain leaves it be), so no budget could guard it. */
  void disruptionBudget(EtcdClusterModel model) {
    if (!model.staticPods()) {
      children.apply(List.of(PodDisruptionBudgetBuilder.build(model)));
    }
  }

  /**
   * Keeps the EtcdBackupSchedule of the inline {@code spec.backup} as declared, and deletes it when the declaration
   * goes. A schedule of that name the cluster does not own (a user's) is left alone and reported.
   */
  void backupSchedule(EtcdClusterModel model, List<EtcdBackupSchedule> schedules) {
    Optional<EtcdBackupSchedule> owned = schedules.stream()
        .filter(s -> model.backupSchedule().equals(s.getMetadata().getName()))
        .filter(s -> ClusterMembers.controlledBy(s, model.resource()))
        .findFirst();
    Optional<EtcdBackupSchedule> desired = BackupScheduleBuilder.build(model);
    if (desired.isEmpty()) {
      owned.ifPresent(children::delete);
      return;
    }
    if (owned.isEmpty()) {
      EtcdBackupSchedule existing = children.live(EtcdBackupSchedule.class, model.namespace(), model.backupSchedule());
      if (existing != null && !ClusterMembers.controlledBy(existing, model.resource())) {
        throw new ForeignObjectException("spec.backup needs the EtcdBackupSchedule " + model.backupSchedule()
            + ", but one of that name exists that this cluster does not own: rename or delete it");
      }
    }
    children.apply(List.of(desired.get()));
  }
}
