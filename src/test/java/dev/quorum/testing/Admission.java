package dev.quorum.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** What admission answers to a bad resource, checked one way for every kind: refused as invalid, saying why. */
public final class Admission {

  /** The HTTP status of a resource the API server's validation (schema, CEL) refuses. */
  static final int UNPROCESSABLE = 422;

  private Admission() {
  }

  /** {@code create} is refused as invalid, and the message names every one of {@code messageParts}. */
  public static void assertRejected(ThrowingCallable create, String... messageParts) {
    assertThatThrownBy(create)
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(UNPROCESSABLE))
        .hasMessageContainingAll(messageParts);
  }
}
