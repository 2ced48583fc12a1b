package dev.quorum.etcd;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * An etcd call no member served: the last member's refusal in etcd's own words, after what every member tried before
 * it said. A refusal that is the cluster's answer (its quorum guard, a member not found) ends the tries at once.
 */
public final class EtcdCallFailed extends RuntimeException {

  private final transient Optional<Status> status;

  EtcdCallFailed(String message, Optional<Status> status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** etcd's answer to the last try, when it gave one. */
  public Optional<Status> status() {
    return status;
  }

  /** Whether a call may have changed the cluster: a change cut off by its deadline may have been applied. */
  enum Effect {
    /** Reads: asking another member is always safe. */
    READ,
    /** Changes: asked again elsewhere only when the member could not have applied it (unreachable, a learner). */
    CHANGE
  }

  /**
   * True when another member may serve what this one could not: it is down or starting, cut off (no leader), or a
   * learner; for a read also when it did not answer in time. Never for the cluster's own refusals.
   */
  static boolean askAnother(Throwable failure, Effect effect) {
    Throwable cause = unwrap(failure);
    if (cause instanceof TimeoutException) {
      return effect == Effect.READ;
    }
    if (!(cause instanceof StatusRuntimeException refused)) {
      // no answer at all (a name that does not resolve, a closed client): nothing reached the member
      return true;
    }
    Status status = refused.getStatus();
    String description = status.getDescription() == null ? "" : status.getDescription();
    return switch (status.getCode()) {
      // etcd's quorum guard ("unhealthy cluster") speaks for the cluster; anything else unavailable is this member
      case UNAVAILABLE -> !description.contains("unhealthy cluster");
      case FAILED_PRECONDITION -> description.contains("not supported for learner");
      case DEADLINE_EXCEEDED -> effect == Effect.READ;
      default -> false;
    };
  }

  /** What each member said, in the order asked; the last one's refusal stands for the call. */
  static EtcdCallFailed of(String what, List<String> tried, List<Throwable> failures) {
    List<String> said = new ArrayList<>();
    for (int i = 0; i < failures.size(); i++) {
      said.add(tried.get(i) + ": " + describe(failures.get(i)));
    }
    Throwable last = failures.isEmpty() ? null : unwrap(failures.get(failures.size() - 1));
    Optional<Status> status = last instanceof StatusRuntimeException s ? Optional.of(s.getStatus()) : Optional.empty();
    String message = failures.isEmpty() ? what + ": no member can be asked"
        : what + " failed: " + String.join("; ", said);
    return new EtcdCallFailed(message, status, last);
  }

  /** One member's failure, in etcd's words when it answered. */
  static String describe(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof TimeoutException) {
      return "no answer within the request timeout";
    }
    if (cause instanceof StatusRuntimeException refused) {
      Status status = refused.getStatus();
      if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
        return "no answer within the request timeout";
      }
      // a connection that failed says only "io exception"; what the transport saw says more
      Throwable transport = status.getCause();
      String description = status.getDescription();
      if (transport != null && (description == null || "io exception".equals(description))) {
        return transport.getClass().getSimpleName() + ": " + transport.getMessage();
      }
      return description != null ? description : status.getCode().name();
    }
    return cause.getClass().getSimpleName() + (cause.getMessage() != null ? ": " + cause.getMessage() : "");
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
