package dev.quorum.operation;

/**
 * A failure that carries, beside its message, a reason fit for a condition, an event and a metric label (CamelCase,
 * as {@code SecretNotFound}): what a user reads first, and what an alert selects on.
 */
public class ReasonedFailure extends Exception {

  private final String reason;

  public ReasonedFailure(String reason, String message) {
    this(reason, message, null);
  }

  public ReasonedFailure(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
