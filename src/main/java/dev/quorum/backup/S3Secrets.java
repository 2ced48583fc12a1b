package dev.quorum.backup;

import dev.quorum.objectstore.S3Credentials;
import dev.quorum.operation.ReasonedFailure;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Reads an S3 access key from a Secret, as backups and restores name it; a missing Secret or key is named. */
public final class S3Secrets {

  /** The Secret or one of its keys is missing: permanent until someone creates it. */
  /** Its reason is {@link BackupFailure#SECRET_NOT_FOUND} or {@link BackupFailure#SECRET_KEY_MISSING}. */
  public static final class Missing extends ReasonedFailure {
    Missing(String reason, String message) {
      super(reason, message);
    }
  }

  private S3Secrets() {}

  public static S3Credentials read(KubernetesClient kube, String namespace, String name, String accessKeyIdKey,
      String secretAccessKeyKey) throws Missing {
    Secret secret = kube.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null) {
      throw new Missing(BackupFailure.SECRET_NOT_FOUND,
          "Secret " + name + " (the S3 credentials) does not exist in namespace " + namespace);
    }
    Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
    List<String> missing = List.of(accessKeyIdKey, secretAccessKeyKey).stream()
        .filter(k -> data.get(k) == null || data.get(k).isEmpty()).toList();
    if (!missing.isEmpty()) {
      throw new Missing(BackupFailure.SECRET_KEY_MISSING, "Secret " + name + " has no " + String.join(" and no ", missing));
    }
    return new S3Credentials(decode(data.get(accessKeyIdKey)), decode(data.get(secretAccessKeyKey)));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8).strip();
  }
}
