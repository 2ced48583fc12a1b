package dev.quorum.rig;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@link NodeFaults} on the rig's local kubelet: its processes, its pods' cgroups and addresses, nftables. */
final class RigFaults implements NodeFaults {

  private final LocalKubelet kubelet;
  private final KubernetesClient client;
  private final NetworkCuts cuts;

  RigFaults(LocalKubelet kubelet, KubernetesClient client, NetworkCuts cuts) {
    this.kubelet = kubelet;
    this.client = client;
    this.cuts = cuts;
  }

  @Override
  public void deletePod(String namespace, String pod) {
    if (client.pods().inNamespace(namespace).withName(pod).delete().isEmpty()) {
      throw new IllegalStateException("no pod " + namespace + "/" + pod + " to delete");
    }
  }

  @Override
  public void deleteClaim(String namespace, String claim) {
    if (client.persistentVolumeClaims().inNamespace(namespace).withName(claim).delete().isEmpty()) {
      throw new IllegalStateException("no claim " + namespace + "/" + claim + " to delete");
    }
  }

  @Override
  public void killProcess(String namespace, String pod, String container) {
    breakContainer(namespace, pod, container, Duration.ZERO);
  }

  @Override
  public void breakContainer(String namespace, String pod, String container, Duration downFor) {
    if (!kubelet.killContainer(namespace, pod, container, downFor)) {
      throw new IllegalStateException("container " + container + " of " + namespace + "/" + pod + " does not run here");
    }
  }

  @Override
  public Cut cutOff(String namespace, String pod, List<String> others) {
    kubelet.cgroups().unavailable().ifPresent(why -> {
      throw new IllegalStateException("cannot cut " + pod + " off: " + why);
    });
    NetworkCuts.Endpoint cut = endpoint(namespace, pod);
    List<NetworkCuts.Endpoint> from = new ArrayList<>();
    others.forEach(other -> from.add(endpoint(namespace, other)));
    String name = cuts.cut(cut, from);
    return () -> cuts.heal(name);
  }

  private NetworkCuts.Endpoint endpoint(String namespace, String pod) {
    PodRunner runner = kubelet.runner(namespace, pod)
        .orElseThrow(() -> new IllegalStateException(namespace + "/" + pod + " does not run on the rig"));
    PodCgroups.NftCgroup cgroup = kubelet.cgroups().nft(runner.uid())
        .orElseThrow(() -> new IllegalStateException(namespace + "/" + pod + " has no cgroup"));
    return new NetworkCuts.Endpoint(cgroup, runner.podIp());
  }
}
