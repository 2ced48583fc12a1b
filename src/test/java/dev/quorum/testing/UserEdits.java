package dev.quorum.testing;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;

/**
 * A user's edit of a resource the operator also writes (its status): read, change, write back, and read again when
 * the operator wrote it in between (409 Conflict), as {@code kubectl edit} asks its user to.
 */
public final class UserEdits {

  /** How often an edit that met a concurrent write is tried. */
  private static final int ATTEMPTS = 10;

  private UserEdits() {}

  /** Runs {@code edit} (a read-change-write, e.g. fabric8's {@code edit}) until no concurrent write got in its way. */
  public static void retryingConflicts(Runnable edit) {
    for (int attempt = 1; ; attempt++) {
      try {
        edit.run();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }
}
