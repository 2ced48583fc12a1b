package dev.quorum.rig;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lays out a pod's volumes as host directories. PVC-backed volumes live under the rig's volume directory
 * keyed by the claim's UID, so data outlives the pod (and a recreated claim starts empty); emptyDir lives
 * with the pod; ConfigMap, Secret, projected and downward API volumes are written out as files.
 */
final class Volumes {

  /** A volume's content is not available yet (missing ConfigMap, unbound claim, ...). */
  static final class NotReadyException extends Exception {
    NotReadyException(String message) {
      super(message);
    }
  }

  private final KubernetesClient client;
  private final Path volumeRoot;
  private final Path nodesRoot;

  /**
   * @param nodesRoot where each node's own file system root is ({@code <nodesRoot>/<node>/root}): the rig's nodes
   *     share one machine, so a hostPath volume is that node's directory, not the machine's
   */
  Volumes(KubernetesClient client, Path volumeRoot, Path nodesRoot) {
    this.client = client;
    this.volumeRoot = volumeRoot;
    this.nodesRoot = nodesRoot;
  }

  /** The machine directory a node's host path stands for. */
  Path hostPath(String node, String path) {
    return nodesRoot.resolve(node).resolve("root").resolve(path.replaceFirst("^/+", ""));
  }

  Path claimDirectory(PersistentVolumeClaim claim) {
    return volumeRoot.resolve(claim.getMetadata().getNamespace())
        .resolve(claim.getMetadata().getName() + "-" + claim.getMetadata().getUid());
  }

  /** Host directory (or file) for every volume of the pod, by volume name. */
  Map<String, Path> prepare(Pod pod, Path podDir) throws NotReadyException, IOException {
    String ns = pod.getMetadata().getNamespace();
    Map<String, Path> paths = new LinkedHashMap<>();
    List<Volume> volumes = pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes();
    for (Volume volume : volumes) {
      Path dir = podDir.resolve("volumes").resolve(volume.getName());
      if (volume.getPersistentVolumeClaim() != null) {
        String claimName = volume.getPersistentVolumeClaim().getClaimName();
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(ns).withName(claimName).get();
        if (claim == null || claim.getStatus() == null || !"Bound".equals(claim.getStatus().getPhase())) {
          throw new NotReadyException("persistentvolumeclaim " + claimName + " is not bound");
        }
        dir = claimDirectory(claim);
      } else if (volume.getHostPath() != null) {
        dir = hostPath(pod.getSpec().getNodeName(), volume.getHostPath().getPath());
        // as the kubelet: type Directory must exist already; the default and DirectoryOrCreate make it
        if ("Directory".equals(volume.getHostPath().getType()) && !Files.isDirectory(dir)) {
          throw new NotReadyException("hostPath " + volume.getHostPath().getPath() + " is not a directory on the node");
        }
        Files.createDirectories(dir);
      } else if (volume.getEmptyDir() != null) {
        // a directory that lives as long as the pod
      } else if (volume.getConfigMap() != null) {
        writeItems(dir, configMapData(ns, volume.getConfigMap().getName(), volume.getConfigMap().getOptional()),
            volume.getConfigMap().getItems());
      } else if (volume.getSecret() != null) {
        writeItems(dir, secretData(ns, volume.getSecret().getSecretName(), volume.getSecret().getOptional()),
            volume.getSecret().getItems());
      } else if (volume.getProjected() != null) {
        for (VolumeProjection source : volume.getProjected().getSources()) {
          project(pod, source, dir);
        }
      } else if (volume.getDownwardAPI() != null) {
        writeDownwardApi(pod, volume.getDownwardAPI().getItems(), dir);
      } else {
        throw new NotReadyException("volume " + volume.getName() + " is of a type the rig does not support");
      }
      Files.createDirectories(dir);
      paths.put(volume.getName(), dir);
    }
    return paths;
  }

  private void project(Pod pod, VolumeProjection source, Path dir) throws NotReadyException, IOException {
    String ns = pod.getMetadata().getNamespace();
    if (source.getServiceAccountToken() != null) {
      String account = pod.getSpec().getServiceAccountName() == null ? "default"
          : pod.getSpec().getServiceAccountName();
      TokenRequest request = new TokenRequestBuilder().withNewSpec()
          .withExpirationSeconds(source.getServiceAccountToken().getExpirationSeconds())
          .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod")
          .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).endBoundObjectRef()
          .endSpec().build();
      TokenRequest token = client.serviceAccounts().inNamespace(ns).withName(account).tokenRequest(request);
      write(dir.resolve(source.getServiceAccountToken().getPath()),
          token.getStatus().getToken().getBytes(StandardCharsets.UTF_8));
    } else if (source.getConfigMap() != null) {
      writeItems(dir, configMapData(ns, source.getConfigMap().getName(), source.getConfigMap().getOptional()),
          source.getConfigMap().getItems());
    } else if (source.getSecret() != null) {
      writeItems(dir, secretData(ns, source.getSecret().getName(), source.getSecret().getOptional()),
          source.getSecret().getItems());
    } else if (source.getDownwardAPI() != null) {
      writeDownwardApi(pod, source.getDownwardAPI().getItems(), dir);
    }
  }

  private Map<String, byte[]> configMapData(String ns, String name, Boolean optional) throws NotReadyException {
    ConfigMap map = client.configMaps().inNamespace(ns).withName(name).get();
    if (map == null && !Boolean.TRUE.equals(optional)) {
      throw new NotReadyException("configmap " + name + " not found");
    }
    return map == null ? Map.of() : textOf(map);
  }

  private Map<String, byte[]> secretData(String ns, String name, Boolean optional) throws NotReadyException {
    Secret secret = client.secrets().inNamespace(ns).withName(name).get();
    if (secret == null && !Boolean.TRUE.equals(optional)) {
      throw new NotReadyException("secret " + name + " not found");
    }
    return secret == null ? Map.of() : bytesOf(secret);
  }

  private static void writeDownwardApi(Pod pod, List<io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile> items,
      Path dir) throws IOException {
    for (var item : items) {
      write(dir.resolve(item.getPath()), Env.fieldValue(pod, item.getFieldRef().getFieldPath())
          .getBytes(StandardCharsets.UTF_8));
    }
  }

  private static Map<String, byte[]> textOf(ConfigMap map) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    if (map.getData() != null) {
      map.getData().forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
    }
    if (map.getBinaryData() != null) {
      map.getBinaryData().forEach((k, v) -> out.put(k, Base64.getDecoder().decode(v)));
    }
    return out;
  }

  private static Map<String, byte[]> bytesOf(Secret secret) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> out.put(k, Base64.getDecoder().decode(v)));
    }
    if (secret.getStringData() != null) {
      secret.getStringData().forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  private static void writeItems(Path dir, Map<String, byte[]> data, List<KeyToPath> items) throws IOException {
    Files.createDirectories(dir);
    if (items == null || items.isEmpty()) {
      for (Map.Entry<String, byte[]> entry : data.entrySet()) {
        write(dir.resolve(entry.getKey()), entry.getValue());
      }
    } else {
      for (KeyToPath item : items) {
        if (data.containsKey(item.getKey())) {
          write(dir.resolve(item.getPath()), data.get(item.getKey()));
        }
      }
    }
  }

  private static void write(Path file, byte[] content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, content);
  }
}
