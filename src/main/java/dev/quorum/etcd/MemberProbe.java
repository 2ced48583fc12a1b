package dev.quorum.etcd;

import io.etcd.jetcd.maintenance.StatusResponse;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/** The answer (or silence) of one member asked for its status. */
record MemberProbe(boolean reachable, String version, long leaderId, long raftTerm, long revision, String error) {

  static MemberProbe answered(StatusResponse status) {
    return new MemberProbe(true, status.getVersion(), status.getLeader(), status.getRaftTerm(),
        status.getHeader().getRevision(), null);
  }

  static MemberProbe failed(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    String message = cause instanceof TimeoutException
        ? "no answer within the request timeout"
        : cause.getClass().getSimpleName() + (cause.getMessage() != null ? ": " + cause.getMessage() : "");
    return new MemberProbe(false, null, 0, 0, 0, message);
  }

  static MemberProbe notAddressable() {
    return new MemberProbe(false, null, 0, 0, 0, "member has no client endpoint yet");
  }
}
