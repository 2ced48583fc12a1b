package dev.quorum.restore;

import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.model.RestoreSource;
import dev.quorum.podtool.SnapshotVerifier;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What an EtcdRestore does next, as {@link RestorePlanner} decides it: one step a pass. */
public sealed interface RestoreStep {

  /**
   * Failed for good.
   *
   * @param release whether to release the hold first (in place, where this restore may have it)
   */
  record Fail(String reason, String message, boolean release) implements RestoreStep {}

  /** A failed attempt to check the source backs off: nothing is done until then. */
  record WaitForRetry(Duration delay) implements RestoreStep {}

  /** The source check has not finished: it is started unless it runs, and looked at again soon. */
  record WaitForCheck() implements RestoreStep {}

  /**
   * Decided on the source check's result, which it uses up: the attempt is on record, and a retry checks anew.
   *
   * @see CheckFailed
   * @see RetryCheckAt
   * @see CreateCluster
   * @see StartInPlace
   */
  sealed interface AfterCheck extends RestoreStep {
    /** The attempts made to check the source, this one included. */
    int attempts();
  }

  /** The check refused the source for good, or the snapshot's etcd is newer than the target's. */
  record CheckFailed(int attempts, String reason, String message, boolean release) implements AfterCheck {}

  /**
   * The check failed for a reason that may pass: it is tried again at {@code at}.
   *
   * @param release whether to release the hold meanwhile (in place), so the cluster's reconciler takes over
   */
  record RetryCheckAt(int attempts, Duration delay, Instant at, String reason, String message, boolean release)
      implements AfterCheck {}

  /** New cluster: the check passed; creates the cluster, whose founding members restore the checked source. */
  record CreateCluster(CheckedSource checked, EtcdCluster cluster) implements AfterCheck {

    @Override
    public int attempts() {
      return checked.attempts();
    }

    public String createdEvent() {
      return "created EtcdCluster " + name() + ", whose members restore " + checked.uri();
    }

    /** Once the API server created it, with this uid: Running, and watched. */
    public TrackCluster created(String uid) {
      return new TrackCluster(uid, RestorePlanner.createdMessage(name(), checked.uri()));
    }

    /**
     * What follows when the API server refused to create it with {@code code}: a conflict means the name got taken
     * meanwhile (by this restore's earlier pass, or someone else), which the next pass tells; a 4xx other than that
     * or throttling is refused again (quota, webhook, RBAC). Empty: retried as any API error.
     */
    public Optional<RestoreStep> refused(int code, String message) {
      if (code == HttpURLConnection.HTTP_CONFLICT) {
        return Optional.of(new NotCreatedYet());
      }
      if (code >= 400 && code < 500 && code != 429) {
        return Optional.of(new Fail(RestorePlanner.CREATE_REFUSED, "the API server refused to create EtcdCluster "
            + name() + ": " + message, false));
      }
      return Optional.empty();
    }

    private String name() {
      return cluster.getMetadata().getName();
    }
  }

  /** New cluster: it exists, created by this restore: Running, and watched. */
  record TrackCluster(String clusterUid, String message) implements RestoreStep {}

  /** New cluster: its name was taken between reading and creating; the next pass sees by whom. */
  record NotCreatedYet() implements RestoreStep {}

  /** In place: holds the cluster for this restore, if it is still as read. */
  record Lock() implements RestoreStep {}

  /** In place: the check passed; Running, the members are stopped next. */
  record StartInPlace(CheckedSource checked, String clusterUid, String token, String event, String message)
      implements AfterCheck {

    @Override
    public int attempts() {
      return checked.attempts();
    }
  }

  /**
   * In place: deletes (not evicts: a restore is a deliberate outage) what still runs; the members' data stays on
   * their claims, or in their directories for static pods, whose manifests go (the kubelets stop them).
   *
   * @param fetchPods StaticPod mode: pods that fetched an earlier restore's snapshots, which never finished
   * @param message how many member pods still run
   */
  record StopMembers(List<Pod> pods, List<ConfigMap> manifests, List<Pod> fetchPods, String message)
      implements RestoreStep {}

  /** In place: the claims of the data being replaced, on record before the records change. */
  record RecordReplacedClaims(List<String> claims) implements RestoreStep {}

  /** In place: every member is stopped; their records now restore the snapshot under a new cluster token. */
  /** @param restoredRevision the revision the restored data starts at, when the snapshot's is known */
  record RewriteRecords(MemberBootstrapRecords records, Optional<Long> restoredRevision, String message)
      implements RestoreStep {}

  /** In place: the members are on record to restore; the cluster's reconciler starts them again. */
  record Release(String event) implements RestoreStep {}

  /** The restored cluster is not Available yet: how far it got. */
  record Watch(String message) implements RestoreStep {}

  /** The restored cluster is Available with every member ready: done, and the replaced data's claims go. */
  record Succeed(String message, List<String> replacedClaims) implements RestoreStep {}

  /**
   * A source that passed the check.
   *
   * @param attempts the attempts made to check it, the one that passed included
   * @param revision the snapshot's etcd revision, when known
   */
  record CheckedSource(int attempts, RestoreSource source, SnapshotVerifier.Verified verified,
      Optional<Long> revision) {

    public String uri() {
      return source.uri();
    }
  }

  /** For messages: " at revision R", with the snapshot's when the restore moved past it; empty when unknown. */
  static String atRevision(EtcdRestoreStatus status) {
    Long restored = status.getRestoredRevision();
    Long snapshot = status.getSnapshotRevision();
    return restored == null ? "" : " at revision " + restored
        + (snapshot != null && !snapshot.equals(restored) ? " (the snapshot's " + snapshot + ", bumped past)" : "");
  }
}
