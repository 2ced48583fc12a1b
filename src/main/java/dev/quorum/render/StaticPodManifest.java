package dev.quorum.render;

import dev.quorum.model.EtcdPorts;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A kubeadm-style static pod manifest ({@code etcd.yaml} in the kubelet's manifest directory) for one member: host
 * networking, data on a host path, probes on the member's plain-HTTP metrics listener, critical priority.
 */
public final class StaticPodManifest {

  /** Where the data directory's host path is mounted in the container: the same path, as kubeadm does. */
  private static final String DATA_VOLUME = "etcd-data";
  private static final String CERTS_VOLUME = "etcd-certs";

  private StaticPodManifest() {}

  public static Pod build(List<Peer> peers, Peer self, RenderOptions options) {
    List<String> command = new ArrayList<>();
    command.add("etcd");
    command.addAll(EtcdCommandLine.flags(peers, self, options));
    PodBuilder pod = new PodBuilder()
        .withNewMetadata()
        .withName("etcd")
        .withNamespace("kube-system")
        .withLabels(Map.of("component", "etcd", "tier", "control-plane"))
        .withAnnotations(Map.of("kubeadm.kubernetes.io/etcd.advertise-client-urls",
            options.scheme() + "://" + self.hostPort(EtcdPorts.CLIENT)))
        .endMetadata()
        .withNewSpec()
        .withHostNetwork(true)
        .withPriorityClassName("system-node-critical")
        .withNewSecurityContext().withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName("etcd")
        .withImage(options.image())
        .withImagePullPolicy("IfNotPresent")
        .withCommand(command)
        .withNewResources().withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("100Mi")))
        .endResources()
        .withStartupProbe(probe(self, "/livez", 10, 24))
        .withLivenessProbe(probe(self, "/livez", 10, 8))
        .withReadinessProbe(probe(self, "/readyz", 10, 3))
        .addNewVolumeMount().withName(DATA_VOLUME).withMountPath(options.dataDir()).endVolumeMount()
        .endContainer()
        .addNewVolume().withName(DATA_VOLUME).withNewHostPath().withPath(options.dataDir())
        .withType("DirectoryOrCreate").endHostPath().endVolume()
        .endSpec();
    options.tlsDir().ifPresent(dir -> pod.editSpec()
        .editFirstContainer().addNewVolumeMount().withName(CERTS_VOLUME).withMountPath(dir).withReadOnly(true)
        .endVolumeMount().endContainer()
        .addNewVolume().withName(CERTS_VOLUME).withNewHostPath().withPath(dir).withType("DirectoryOrCreate")
        .endHostPath().endVolume()
        .endSpec());
    return pod.build();
  }

  private static Probe probe(Peer self, String path, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet().withHost(self.host()).withPath(path).withPort(new IntOrString(EtcdPorts.METRICS))
        .withScheme("HTTP").endHttpGet()
        .withInitialDelaySeconds(10)
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(15)
        .withFailureThreshold(failureThreshold)
        .build();
  }
}
