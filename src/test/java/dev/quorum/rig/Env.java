package dev.quorum.rig;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A container's environment as the kubelet builds it: envFrom, env with fieldRef and key refs, $(VAR) expansion. */
final class Env {

  private Env() {
  }

  static String fieldValue(Pod pod, String fieldPath) {
    String ip = RigNetwork.podIp(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    return switch (fieldPath) {
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.namespace" -> pod.getMetadata().getNamespace();
      case "metadata.uid" -> pod.getMetadata().getUid();
      case "spec.nodeName" -> pod.getSpec().getNodeName();
      case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
      case "status.podIP", "status.podIPs" -> ip;
      case "status.hostIP", "status.hostIPs" -> pod.getStatus() == null ? "" : String.valueOf(pod.getStatus().getHostIP());
      default -> {
        if (fieldPath.startsWith("metadata.labels['")) {
          yield mapValue(pod.getMetadata().getLabels(), fieldPath);
        }
        if (fieldPath.startsWith("metadata.annotations['")) {
          yield mapValue(pod.getMetadata().getAnnotations(), fieldPath);
        }
        throw new IllegalArgumentException("fieldRef " + fieldPath + " is not supported by the rig");
      }
    };
  }

  private static String mapValue(Map<String, String> map, String fieldPath) {
    String key = fieldPath.substring(fieldPath.indexOf("['") + 2, fieldPath.lastIndexOf("']"));
    return map == null ? "" : map.getOrDefault(key, "");
  }

  static Map<String, String> resolve(KubernetesClient client, Pod pod, Container container, Map<String, String> base)
      throws Volumes.NotReadyException {
    String ns = pod.getMetadata().getNamespace();
    Map<String, String> env = new LinkedHashMap<>(base);
    if (container.getEnvFrom() != null) {
      for (EnvFromSource from : container.getEnvFrom()) {
        String prefix = from.getPrefix() == null ? "" : from.getPrefix();
        if (from.getConfigMapRef() != null) {
          ConfigMap map = client.configMaps().inNamespace(ns).withName(from.getConfigMapRef().getName()).get();
          if (map == null && !Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
            throw new Volumes.NotReadyException("configmap " + from.getConfigMapRef().getName() + " not found");
          }
          if (map != null && map.getData() != null) {
            map.getData().forEach((k, v) -> env.put(prefix + k, v));
          }
        }
        if (from.getSecretRef() != null) {
          Secret secret = client.secrets().inNamespace(ns).withName(from.getSecretRef().getName()).get();
          if (secret == null && !Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
            throw new Volumes.NotReadyException("secret " + from.getSecretRef().getName() + " not found");
          }
          if (secret != null && secret.getData() != null) {
            secret.getData().forEach((k, v) -> env.put(prefix + k, decode(v)));
          }
        }
      }
    }
    if (container.getEnv() != null) {
      for (EnvVar var : container.getEnv()) {
        env.put(var.getName(), valueOf(client, pod, var, env));
      }
    }
    return env;
  }

  private static String valueOf(KubernetesClient client, Pod pod, EnvVar var, Map<String, String> soFar)
      throws Volumes.NotReadyException {
    String ns = pod.getMetadata().getNamespace();
    if (var.getValueFrom() == null) {
      return expand(var.getValue() == null ? "" : var.getValue(), soFar);
    }
    var from = var.getValueFrom();
    if (from.getFieldRef() != null) {
      return fieldValue(pod, from.getFieldRef().getFieldPath());
    }
    if (from.getConfigMapKeyRef() != null) {
      ConfigMap map = client.configMaps().inNamespace(ns).withName(from.getConfigMapKeyRef().getName()).get();
      String value = map == null || map.getData() == null ? null : map.getData().get(from.getConfigMapKeyRef().getKey());
      if (value == null && !Boolean.TRUE.equals(from.getConfigMapKeyRef().getOptional())) {
        throw new Volumes.NotReadyException("configmap key " + from.getConfigMapKeyRef().getName() + "/"
            + from.getConfigMapKeyRef().getKey() + " not found");
      }
      return value == null ? "" : value;
    }
    if (from.getSecretKeyRef() != null) {
      Secret secret = client.secrets().inNamespace(ns).withName(from.getSecretKeyRef().getName()).get();
      String value = secret == null || secret.getData() == null ? null : secret.getData().get(from.getSecretKeyRef().getKey());
      if (value == null && !Boolean.TRUE.equals(from.getSecretKeyRef().getOptional())) {
        throw new Volumes.NotReadyException("secret key " + from.getSecretKeyRef().getName() + "/"
            + from.getSecretKeyRef().getKey() + " not found");
      }
      return value == null ? "" : decode(value);
    }
    if (from.getResourceFieldRef() != null) {
      return "0";
    }
    return "";
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  /** Kubernetes' $(VAR) expansion: defined variables are replaced, $$ escapes, undefined ones stay as written. */
  static String expand(String input, Map<String, String> env) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < input.length()) {
      char c = input.charAt(i);
      if (c == '$' && i + 1 < input.length()) {
        char next = input.charAt(i + 1);
        if (next == '$') {
          out.append('$');
          i += 2;
          continue;
        }
        if (next == '(') {
          int close = input.indexOf(')', i + 2);
          if (close > 0) {
            String name = input.substring(i + 2, close);
            if (env.containsKey(name)) {
              out.append(env.get(name));
              i = close + 1;
              continue;
            }
          }
        }
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }

  static List<String> expandAll(List<String> values, Map<String, String> env) {
    return values.stream().map(v -> expand(v, env)).toList();
  }
}
