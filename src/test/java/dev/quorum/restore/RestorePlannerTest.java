package dev.quorum.restore;

import static dev.quorum.restore.RestorePass.CLUSTER;
import static dev.quorum.restore.RestorePass.LOCATION;
import static dev.quorum.restore.RestorePass.NAME;
import static dev.quorum.restore.RestorePass.RESTORE_ID;
import static dev.quorum.restore.RestorePass.SHA256;
import static dev.quorum.restore.RestorePass.SOURCE;
import static dev.quorum.restore.RestorePass.VERIFIED;
import static dev.quorum.restore.RestorePass.createdByThisRestore;
import static dev.quorum.restore.RestorePass.foundingRecords;
import static dev.quorum.restore.RestorePass.heldFor;
import static dev.quorum.restore.RestorePass.inPlace;
import static dev.quorum.restore.RestorePass.intoNewCluster;
import static dev.quorum.restore.RestorePass.memberPods;
import static dev.quorum.restore.RestorePass.mirrorPod;
import static dev.quorum.restore.RestorePass.orders;
import static dev.quorum.restore.RestorePass.passed;
import static dev.quorum.restore.RestorePass.restoringNewCluster;
import static dev.quorum.restore.RestorePass.restoringRecords;
import static dev.quorum.restore.RestorePass.stoppingInPlace;
import static dev.quorum.restore.RestorePass.withStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdClusterStatus;
import dev.quorum.api.v1alpha1.EtcdRestoreStatus;
import dev.quorum.api.v1alpha1.OperationPhase;
import dev.quorum.api.v1alpha1.S3Object;
import dev.quorum.model.Annotations;
import dev.quorum.model.MemberBootstrap;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.objectstore.Failure;
import dev.quorum.operation.RetryPolicy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestorePlannerTest {

  private static final RetryPolicy THREE_ATTEMPTS = new RetryPolicy(3, Duration.ofSeconds(5));
  private static final String UNAVAILABLE = "the object store did not answer";

  private final RestorePlanner planner = new RestorePlanner(TestClusters.SETTINGS, THREE_ATTEMPTS);

  private RestoreStep next(RestorePass pass) {
    return planner.next(pass.observation());
  }

  // ---- into a new cluster ----

  @Test
  void nothingIsCreatedBeforeTheSourceCheckHasPassed() {
    assertThat(next(intoNewCluster(null))).isEqualTo(new RestoreStep.WaitForCheck());
  }

  @Test
  void aPassedCheckCreatesTheClusterWhoseFoundingMembersRestoreTheVerifiedObject() {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setSize(5);
    RestorePass pass = intoNewCluster(spec).checked(passed("3.6.16"));

    RestoreStep.CreateCluster create = (RestoreStep.CreateCluster) next(pass);

    assertThat(create.checked()).isEqualTo(new RestoreStep.CheckedSource(1, SOURCE, VERIFIED, Optional.of(42L)));
    assertThat(create.attempts()).isEqualTo(1);
    EtcdCluster cluster = create.cluster();
    assertThat(cluster.getMetadata().getName()).isEqualTo(CLUSTER);
    assertThat(cluster.getMetadata().getNamespace()).isEqualTo("default");
    assertThat(cluster.getMetadata().getAnnotations()).isEqualTo(Map.of(Annotations.RESTORED_BY, RestorePass.UID));
    assertThat(cluster.getSpec().getSize()).isEqualTo(5);
    S3Object object = cluster.getSpec().getBootstrap().getRestore().getS3();
    assertThat(object.getBucket()).isEqualTo("backups");
    assertThat(object.getKey()).isEqualTo("etcd/default/orders/nightly.db");
    assertThat(object.getEndpoint()).isEqualTo("http://s3:9000");
    assertThat(object.isForcePathStyle()).isTrue();
    assertThat(cluster.getSpec().getBootstrap().getRestore().getSha256()).isEqualTo(SHA256);
    assertThat(cluster.getSpec().getBootstrap().getRestore().getBumpRevision()).as("the restore's own bump")
        .isEqualTo(SOURCE.bumpRevision());
    assertThat(spec.getBootstrap()).as("the restore's own spec is left as it is").isNull();
  }

  @Test
  void aClusterOfThatNameThisRestoreDidNotCreateFailsIt() {
    assertThat(next(intoNewCluster(null).cluster(orders()))).isEqualTo(new RestoreStep.Fail(
        RestorePlanner.CLUSTER_EXISTS, "EtcdCluster orders already exists in namespace default: a restore creates a"
            + " new cluster; choose another clusterName, or restore this one in place"
            + " (inPlace.confirmClusterName: orders)", false));
  }

  @Test
  void aCreateRefusedForGoodFailsTheRestoreWhileAConflictWaitsToSeeWhoTookTheName() {
    RestoreStep.CreateCluster create = (RestoreStep.CreateCluster) next(intoNewCluster(null).checked(passed(null)));

    assertThat(create.refused(409, "already exists")).contains(new RestoreStep.NotCreatedYet());
    assertThat(create.refused(403, "forbidden: exceeded quota")).contains(new RestoreStep.Fail(
        RestorePlanner.CREATE_REFUSED, "the API server refused to create EtcdCluster orders: forbidden: exceeded quota",
        false));
    assertThat(create.refused(422, "denied by the webhook")).containsInstanceOf(RestoreStep.Fail.class);
    assertThat(create.refused(429, "too many requests")).as("throttled: retried as any API error").isEmpty();
    assertThat(create.refused(500, "etcdserver: request timed out")).isEmpty();
  }

  @Test
  void onceCreatedTheRestoreRunsAndWatchesTheCluster() {
    RestoreStep.CreateCluster create = (RestoreStep.CreateCluster) next(intoNewCluster(null).checked(passed(null)));

    assertThat(create.createdEvent()).isEqualTo("created EtcdCluster orders, whose members restore " + LOCATION);
    assertThat(create.created("uid-1")).isEqualTo(new RestoreStep.TrackCluster("uid-1",
        "EtcdCluster orders is created; its members restore " + LOCATION));
  }

  @Test
  void aClusterThisRestoreCreatedBeforeARestartIsTrackedNotCreatedAgain() {
    EtcdRestoreStatus notCreatedYet = new EtcdRestoreStatus();
    notCreatedYet.setPhase(OperationPhase.Pending);
    notCreatedYet.setReason(RestorePlanner.NOT_CREATED_YET);
    notCreatedYet.setSource(LOCATION);

    assertThat(next(intoNewCluster(null).status(notCreatedYet).cluster(createdByThisRestore()))).isEqualTo(
        new RestoreStep.TrackCluster(TestClusters.UID, "EtcdCluster orders is created; its members restore "
            + LOCATION));
    assertThat(next(intoNewCluster(null).cluster(createdByThisRestore()))).as("created, then the operator restarted")
        .isEqualTo(new RestoreStep.TrackCluster(TestClusters.UID,
            "EtcdCluster orders is created; its members restore the snapshot"));
  }

  @Test
  void aTransientCheckFailureIsRetriedWithADoublingDelay() {
    SourceCheck.Result unavailable = SourceCheck.Result.retry(Failure.UNAVAILABLE, UNAVAILABLE);
    EtcdRestoreStatus oneMade = new EtcdRestoreStatus();
    oneMade.setPhase(OperationPhase.Pending);
    oneMade.setAttempts(1);

    assertThat(next(intoNewCluster(null).checked(unavailable))).isEqualTo(new RestoreStep.RetryCheckAt(1,
        Duration.ofSeconds(5), Instant.parse("2026-03-04T05:06:12Z"), Failure.UNAVAILABLE,
        "attempt 1 of 3 to check the source failed, retried in 5 s: " + UNAVAILABLE, false));
    assertThat(next(intoNewCluster(null).status(oneMade).checked(unavailable))).isEqualTo(
        new RestoreStep.RetryCheckAt(2, Duration.ofSeconds(10), Instant.parse("2026-03-04T05:06:17Z"),
            Failure.UNAVAILABLE, "attempt 2 of 3 to check the source failed, retried in 10 s: " + UNAVAILABLE, false));
  }

  @Test
  void aTransientCheckFailureFailsTheRestoreOnceTheAttemptsRunOut() {
    EtcdRestoreStatus twoMade = new EtcdRestoreStatus();
    twoMade.setPhase(OperationPhase.Pending);
    twoMade.setAttempts(2);

    assertThat(next(intoNewCluster(null).status(twoMade)
        .checked(SourceCheck.Result.retry(Failure.UNAVAILABLE, UNAVAILABLE))))
        .isEqualTo(new RestoreStep.CheckFailed(3, Failure.UNAVAILABLE, UNAVAILABLE, false));
  }

  @Test
  void aPermanentCheckFailureFailsTheRestoreAtOnce() {
    String mismatch = LOCATION + " has SHA-256 cd..., but " + SHA256 + " was expected";

    assertThat(next(intoNewCluster(null).checked(SourceCheck.Result.refused("ChecksumMismatch", mismatch))))
        .isEqualTo(new RestoreStep.CheckFailed(1, "ChecksumMismatch", mismatch, false));
    assertThat(next(intoNewCluster(null).checked(SourceCheck.Result.refused(RestoreSources.BACKUP_NOT_FOUND,
        "EtcdBackup nightly does not exist in namespace default"))))
        .isEqualTo(new RestoreStep.CheckFailed(1, RestoreSources.BACKUP_NOT_FOUND,
            "EtcdBackup nightly does not exist in namespace default", false));
  }

  @Test
  void aFailedAttemptBacksOffUntilItsRetryTimeThenChecksAgain() {
    EtcdRestoreStatus backingOff = new EtcdRestoreStatus();
    backingOff.setPhase(OperationPhase.Pending);
    backingOff.setAttempts(1);
    backingOff.setRetryAt("2026-03-04T05:06:12Z");
    EtcdRestoreStatus due = new EtcdRestoreStatus();
    due.setPhase(OperationPhase.Pending);
    due.setAttempts(1);
    due.setRetryAt("2026-03-04T05:06:07Z");

    assertThat(next(intoNewCluster(null).status(backingOff)))
        .isEqualTo(new RestoreStep.WaitForRetry(Duration.ofMillis(4_750 + 50)));
    assertThat(next(intoNewCluster(null).status(due))).isEqualTo(new RestoreStep.WaitForCheck());
  }

  @Test
  void aSnapshotFromANewerEtcdMinorThanTheTargetIsRefusedBeforeAnythingIsCreated() {
    EtcdClusterSpec older = new EtcdClusterSpec();
    older.setVersion("3.5.21");

    assertThat(next(intoNewCluster(older).checked(passed("3.6.16")))).isEqualTo(new RestoreStep.CheckFailed(1,
        RestorePlanner.VERSION_DOWNGRADE, "the snapshot comes from etcd 3.6.16, newer than the 3.5.21 it would be"
            + " restored into: etcd does not open a newer release's data (a downgrade goes through a running cluster);"
            + " restore into version 3.6.16 or newer", false));
    assertThat(next(intoNewCluster(null).checked(passed("3.7.0"))))
        .as("the default version is the target when the spec names none")
        .isInstanceOfSatisfying(RestoreStep.CheckFailed.class, failed -> assertThat(failed.message())
            .contains("newer than the " + EtcdClusterSpec.DEFAULT_VERSION + " it would be restored into"));
  }

  @Test
  void aSnapshotOfTheSameOrAnOlderMinorOrOfAnUnknownVersionIsRestored() {
    for (String from : new String[] {"3.5.21", "3.6.1", "3.6.99", null}) {
      assertThat(next(intoNewCluster(null).checked(passed(from)))).as(String.valueOf(from))
          .isInstanceOf(RestoreStep.CreateCluster.class);
    }
  }

  @Test
  void aRestoreWhoseClusterWasDeletedWhileItRanFails() {
    EtcdCluster namesake = TestClusters.cluster(CLUSTER, "default", "1d2e3f4a-0000-4000-8000-000000000000", 3);

    assertThat(next(intoNewCluster(null).status(restoringNewCluster(orders())))).isEqualTo(new RestoreStep.Fail(
        RestorePlanner.CLUSTER_DELETED, "EtcdCluster orders was deleted while it restored", false));
    assertThat(next(intoNewCluster(null).status(restoringNewCluster(orders())).cluster(namesake)))
        .as("deleted, and created again by someone else").isEqualTo(new RestoreStep.Fail(
            RestorePlanner.CLUSTER_DELETED, "EtcdCluster orders was deleted while it restored", false));
    assertThat(next(inPlace().status(stoppingInPlace(orders())))).isEqualTo(new RestoreStep.Fail(
        RestorePlanner.CLUSTER_DELETED, "EtcdCluster orders was deleted during the restore", false));
    assertThat(next(inPlace().status(stoppingInPlace(orders())).cluster(heldFor(namesake, NAME))))
        .isEqualTo(new RestoreStep.Fail(RestorePlanner.CLUSTER_DELETED,
            "EtcdCluster orders was deleted during the restore", false));
  }

  @Test
  void aNewClusterIsWatchedUntilItIsAvailableWithEveryMemberReady() {
    EtcdCluster cluster = orders();
    RestorePass pass = intoNewCluster(null).status(restoringNewCluster(cluster));

    assertThat(next(pass.cluster(withStatus(cluster, 1, false, null)))).isEqualTo(new RestoreStep.Watch(
        "EtcdCluster orders restores " + LOCATION + ": 1 of 3 members ready"));
    assertThat(next(pass.cluster(withStatus(cluster, 2, true, null)))).isEqualTo(new RestoreStep.Watch(
        "EtcdCluster orders restores " + LOCATION + ": 2 of 3 members ready"));
  }

  @Test
  void whileTheClusterIsDegradedTheRestoreShowsWhatItSays() {
    String degraded = "orders-0: init container fetch-snapshot failed: the object store did not answer";
    EtcdCluster cluster = withStatus(orders(), 0, false, degraded);

    assertThat(next(intoNewCluster(null).status(restoringNewCluster(cluster)).cluster(cluster)))
        .isEqualTo(new RestoreStep.Watch("EtcdCluster orders restores " + LOCATION + ": " + degraded));
  }

  @Test
  void aRestoreSucceedsOnceItsClusterIsAvailableNamingTheRevision() {
    EtcdCluster cluster = withStatus(orders(), 3, true, null);
    EtcdRestoreStatus revisionUnknown = restoringNewCluster(cluster);
    revisionUnknown.setSnapshotRevision(null);
    revisionUnknown.setRestoredRevision(null);
    EtcdRestoreStatus unbumped = restoringNewCluster(cluster);
    unbumped.setRestoredRevision(42L);

    assertThat(next(intoNewCluster(null).status(restoringNewCluster(cluster)).cluster(cluster))).isEqualTo(
        new RestoreStep.Succeed("EtcdCluster orders is restored from " + LOCATION + " at revision 1000000042 (the"
            + " snapshot's 42, bumped past): 3 of 3 members ready", List.of()));
    assertThat(next(intoNewCluster(null).status(unbumped).cluster(cluster))).isEqualTo(new RestoreStep.Succeed(
        "EtcdCluster orders is restored from " + LOCATION + " at revision 42: 3 of 3 members ready", List.of()));
    assertThat(next(intoNewCluster(null).status(revisionUnknown).cluster(cluster))).isEqualTo(new RestoreStep.Succeed(
        "EtcdCluster orders is restored from " + LOCATION + ": 3 of 3 members ready", List.of()));
  }

  @Test
  void aStaticPodClusterCountsItsMembersByItsRecords() {
    EtcdCluster cluster = withStatus(TestClusters.staticPodCluster(CLUSTER), 2, true, null);
    MemberBootstrapRecords twoMembers = foundingRecords(TestClusters.cluster(CLUSTER, 2));

    assertThat(next(intoNewCluster(null).status(restoringNewCluster(cluster)).cluster(cluster).records(twoMembers)))
        .isInstanceOfSatisfying(RestoreStep.Succeed.class, succeed -> assertThat(succeed.message())
            .endsWith(": 2 of 2 members ready"));
  }

  // ---- in place: before the members stop ----

  @Test
  void anInPlaceRestoreOfAClusterThatDoesNotExistFails() {
    assertThat(next(inPlace())).isEqualTo(new RestoreStep.Fail(RestorePlanner.CLUSTER_NOT_FOUND, "EtcdCluster orders"
        + " does not exist in namespace default: an in-place restore replaces an existing cluster's data; leave out"
        + " inPlace to create it", false));
  }

  @Test
  void anInPlaceRestoreOfAPausedClusterFails() {
    EtcdCluster paused = orders();
    paused.getSpec().setPaused(true);

    assertThat(next(inPlace().cluster(paused).records(foundingRecords(paused)))).isEqualTo(new RestoreStep.Fail(
        RestorePlanner.CLUSTER_PAUSED, "EtcdCluster orders is paused (spec.paused): the operator changes nothing in"
            + " it, restores included; unpause it and create the EtcdRestore again", false));
  }

  @Test
  void anInPlaceRestoreAskedWhileARecoveryRunsFailsBeforeItHoldsAnything() {
    EtcdCluster cluster = orders();

    assertThat(next(inPlace().cluster(cluster).records(foundingRecords(cluster)).recoveryRunning("recover")))
        .isEqualTo(new RestoreStep.Fail(RestorePlanner.RECOVERY_RUNNING, "EtcdRecovery recover is recovering"
            + " EtcdCluster orders; wait until it has finished, then restore", false));
  }

  @Test
  void anInPlaceRestoreOfAClusterWithNoMembersYetFails() {
    assertThat(next(inPlace().cluster(orders()))).isEqualTo(new RestoreStep.Fail(RestorePlanner.CLUSTER_NOT_FOUND,
        "EtcdCluster orders has no members yet: nothing to restore in place; wait until it is created, or restore"
            + " into a new cluster", false));
  }

  @Test
  void anInPlaceRestoreHoldsTheClusterBeforeItLooksAtTheSourceCheck() {
    EtcdCluster cluster = orders();

    assertThat(next(inPlace().cluster(cluster).records(foundingRecords(cluster)))).isEqualTo(new RestoreStep.Lock());
    assertThat(next(inPlace().cluster(cluster).records(foundingRecords(cluster)).checked(passed(null))))
        .as("a check is never used without the hold").isEqualTo(new RestoreStep.Lock());
  }

  @Test
  void anotherRunningRestoreHoldingTheClusterFailsThisOne() {
    EtcdCluster cluster = heldFor(orders(), "restore-0");

    assertThat(next(inPlace().cluster(cluster).records(foundingRecords(cluster)).heldBy("restore-0", true)))
        .isEqualTo(new RestoreStep.Fail(RestorePlanner.ANOTHER_RESTORE, "EtcdRestore restore-0 is restoring"
            + " EtcdCluster orders already; wait until it has finished", false));
  }

  @Test
  void aHoldLeftByAFinishedOrDeletedRestoreIsTakenOver() {
    EtcdCluster cluster = heldFor(orders(), "restore-0");

    assertThat(next(inPlace().cluster(cluster).records(foundingRecords(cluster)).heldBy("restore-0", false)))
        .isEqualTo(new RestoreStep.Lock());
  }

  @Test
  void whenTheHoldChangedMeanwhileTheNextPassDecidesOnTheNewHolder() {
    EtcdCluster cluster = heldFor(orders(), "restore-2");
    RestorePass pass = inPlace().cluster(cluster).records(foundingRecords(cluster));

    assertThat(ClusterHold.CHANGED_MEANWHILE).isEqualTo(Duration.ofMillis(200));
    assertThat(next(pass.heldBy("restore-2", true))).isInstanceOfSatisfying(RestoreStep.Fail.class,
        fail -> assertThat(fail.reason()).isEqualTo(RestorePlanner.ANOTHER_RESTORE));
    assertThat(next(pass.heldBy("restore-2", false))).isEqualTo(new RestoreStep.Lock());
  }

  @Test
  void heldByThisRestoreTheClusterWaitsForTheSourceCheck() {
    EtcdCluster cluster = heldFor(orders(), NAME);

    assertThat(next(inPlace().cluster(cluster).records(foundingRecords(cluster))))
        .isEqualTo(new RestoreStep.WaitForCheck());
  }

  @Test
  void inPlaceAFailedCheckReleasesTheClusterWhetherItIsRetriedOrNot() {
    EtcdCluster cluster = heldFor(orders(), NAME);
    RestorePass pass = inPlace().cluster(cluster).records(foundingRecords(cluster));

    assertThat(next(pass.checked(SourceCheck.Result.retry(Failure.UNAVAILABLE, UNAVAILABLE))))
        .isInstanceOfSatisfying(RestoreStep.RetryCheckAt.class, retry -> assertThat(retry.release()).isTrue());
    assertThat(next(pass.checked(SourceCheck.Result.refused(Failure.OBJECT_NOT_FOUND, "there is no object"))))
        .isEqualTo(new RestoreStep.CheckFailed(1, Failure.OBJECT_NOT_FOUND, "there is no object", true));
  }

  @Test
  void whileACheckBacksOffTheReleasedClusterIsNotHeldAgain() {
    EtcdCluster released = orders();
    EtcdRestoreStatus backingOff = new EtcdRestoreStatus();
    backingOff.setPhase(OperationPhase.Pending);
    backingOff.setAttempts(1);
    backingOff.setRetryAt("2026-03-04T05:06:12Z");

    assertThat(next(inPlace().status(backingOff).cluster(released).records(foundingRecords(released))))
        .isEqualTo(new RestoreStep.WaitForRetry(Duration.ofMillis(4_800)));
  }

  @Test
  void inPlaceTheSnapshotMustNotComeFromANewerEtcdMinorThanTheClusterRuns() {
    EtcdCluster cluster = heldFor(orders(), NAME);
    cluster.getSpec().setVersion("3.5.21");

    assertThat(next(inPlace().cluster(cluster).records(foundingRecords(cluster)).checked(passed("3.6.16"))))
        .isInstanceOfSatisfying(RestoreStep.CheckFailed.class, failed -> {
          assertThat(failed.reason()).isEqualTo(RestorePlanner.VERSION_DOWNGRADE);
          assertThat(failed.message()).startsWith("the snapshot comes from etcd 3.6.16, newer than the 3.5.21");
          assertThat(failed.release()).isTrue();
        });
  }

  @Test
  void aPassedCheckStartsTheInPlaceRestoreUnderANewClusterToken() {
    EtcdCluster cluster = heldFor(orders(), NAME);

    assertThat(next(inPlace().cluster(cluster).records(foundingRecords(cluster)).checked(passed("3.6.16"))))
        .isEqualTo(new RestoreStep.StartInPlace(new RestoreStep.CheckedSource(1, SOURCE, VERIFIED, Optional.of(42L)),
            TestClusters.UID, "orders-" + RESTORE_ID,
            "restoring EtcdCluster orders in place from " + LOCATION + ": stopping its members",
            "stopping the members of EtcdCluster orders to restore " + LOCATION));
  }

  // ---- in place: once running ----

  @Test
  void aRunningRestoreThatLostItsHoldTakesItAgainBeforeItStopsAnything() {
    EtcdCluster cluster = orders();
    RestorePass pass = inPlace().status(stoppingInPlace(cluster)).cluster(cluster).records(foundingRecords(cluster))
        .memberPods(memberPods(cluster));

    assertThat(next(pass)).isEqualTo(new RestoreStep.Lock());
    assertThat(next(pass.heldBy("restore-0", true))).isInstanceOfSatisfying(RestoreStep.Fail.class,
        fail -> assertThat(fail.reason()).isEqualTo(RestorePlanner.ANOTHER_RESTORE));
  }

  @Test
  void membersStillRunningAreDeletedAndThoseAlreadyTerminatingLeftToFinish() {
    EtcdCluster cluster = heldFor(orders(), NAME);
    List<Pod> pods = new ArrayList<>(memberPods(cluster));
    pods.set(0, TestClusters.terminating(pods.get(0)));

    assertThat(next(inPlace().status(stoppingInPlace(cluster)).cluster(cluster).records(foundingRecords(cluster))
        .memberPods(pods))).isEqualTo(new RestoreStep.StopMembers(pods.subList(1, 3), List.of(), List.of(),
        "stopping the members of EtcdCluster orders: 3 pod(s) still running"));
  }

  @Test
  void staticPodMembersStopAsTheirManifestsGoAndWithThemAnEarlierRestoresFetchPods() {
    EtcdCluster cluster = heldFor(TestClusters.staticPodCluster(CLUSTER), NAME);
    List<Pod> mirrors = List.of(mirrorPod(cluster, "orders-0", "node-0"), mirrorPod(cluster, "orders-1", "node-1"));
    List<ConfigMap> manifests = List.of(manifest("orders-0-pod"), manifest("orders-1-pod"));
    Pod fetching = fetchPod("orders-0-fetch");
    Pod ending = TestClusters.terminating(fetchPod("orders-1-fetch"));

    assertThat(next(inPlace().status(stoppingInPlace(cluster)).cluster(cluster).records(foundingRecords(orders()))
        .memberPods(mirrors).manifests(manifests).fetchPods(List.of(fetching, ending))))
        .isEqualTo(new RestoreStep.StopMembers(List.of(), manifests, List.of(fetching),
            "stopping the members of EtcdCluster orders: 2 pod(s) still running"));
  }

  @Test
  void aSourceThatNoLongerResolvesAfterTheStopFailsTheRestoreAndReleasesTheCluster() {
    EtcdCluster cluster = heldFor(orders(), NAME);

    assertThat(next(inPlace().status(stoppingInPlace(cluster)).cluster(cluster).records(foundingRecords(cluster))
        .resolvedAgain(RestoreSources.Resolution.refused(RestoreSources.BACKUP_NOT_FOUND,
            "EtcdBackup nightly does not exist in namespace default"))))
        .isEqualTo(new RestoreStep.Fail(RestoreSources.BACKUP_NOT_FOUND, "EtcdBackup nightly does not exist in"
            + " namespace default (no member was restored: the members start again on their current data)", true));
  }

  @Test
  void theReplacedClaimsAreOnRecordBeforeTheRecordsChange() {
    EtcdCluster cluster = heldFor(orders(), NAME);

    assertThat(next(stopped(cluster, foundingRecords(cluster), null))).isEqualTo(new RestoreStep.RecordReplacedClaims(
        List.of("data-orders-0", "data-orders-1", "data-orders-2")));
  }

  @Test
  void aClusterRestoredBeforeHasItsDataOnTheClaimsItsRecordsName() {
    EtcdCluster cluster = heldFor(orders(), NAME);
    MemberBootstrapRecords earlier = TestClusters.model(cluster, foundingRecords(cluster))
        .restoredInPlace(SOURCE, "1234abcd").restored();

    assertThat(next(stopped(cluster, earlier, null))).isEqualTo(new RestoreStep.RecordReplacedClaims(
        List.of("data-orders-0-1234abcd", "data-orders-1-1234abcd", "data-orders-2-1234abcd")));
  }

  @Test
  void ephemeralMembersAndStaticPodsReplaceNoClaims() {
    EtcdCluster ephemeral = heldFor(orders(), NAME);
    ephemeral.getSpec().getStorage().setEphemeral(true);
    EtcdCluster staticPods = heldFor(TestClusters.staticPodCluster(CLUSTER), NAME);

    assertThat(next(stopped(ephemeral, foundingRecords(orders()), null)))
        .isEqualTo(new RestoreStep.RecordReplacedClaims(List.of()));
    assertThat(next(stopped(staticPods, foundingRecords(orders()), null)))
        .isEqualTo(new RestoreStep.RecordReplacedClaims(List.of()));
  }

  @Test
  void withTheClaimsOnRecordEveryMemberIsRewrittenToRestoreTheCheckedSnapshotUnderTheNewToken() {
    EtcdCluster cluster = heldFor(orders(), NAME);
    List<String> replaced = List.of("data-orders-0", "data-orders-1", "data-orders-2");

    RestoreStep step = next(stopped(cluster, foundingRecords(cluster), replaced));

    assertThat(step).isInstanceOfSatisfying(RestoreStep.RewriteRecords.class, rewrite -> {
      assertThat(rewrite.message()).isEqualTo("every member of EtcdCluster orders is stopped and restores " + LOCATION
          + " under a new cluster token");
      assertThat(rewrite.records().members()).containsExactly("orders-0", "orders-1", "orders-2");
      MemberBootstrap first = rewrite.records().of("orders-0").orElseThrow();
      assertThat(first.token()).isEqualTo("orders-" + RESTORE_ID);
      assertThat(first.state()).isEqualTo(MemberBootstrap.State.NEW);
      assertThat(first.dataClaim()).contains("data-orders-0-" + RESTORE_ID);
      assertThat(first.restore()).as("with the SHA-256 the check proved").contains(SOURCE);
      assertThat(rewrite.records()).isEqualTo(restoringRecords(cluster));
    });
  }

  @Test
  void inPlaceTheRestoredDataStartsPastTheClustersOwnRevisionWhenThatIsBeyondTheSnapshots() {
    List<String> replaced = List.of("data-orders-0", "data-orders-1", "data-orders-2");
    EtcdCluster behind = heldFor(orders(), NAME);
    behind.setStatus(new EtcdClusterStatus());
    behind.getStatus().setRevision(30L);
    // restored before with a bump: the cluster is far past the snapshot, which it must not go back to
    EtcdCluster bumpedBefore = heldFor(orders(), NAME);
    bumpedBefore.setStatus(new EtcdClusterStatus());
    bumpedBefore.getStatus().setRevision(1_000_000_500L);

    assertThat(restoredRevision(next(stopped(behind, foundingRecords(behind), replaced))))
        .as("the cluster's recorded revision, plus how far it may lag, plus the bump").contains(1_000_100_030L);
    EtcdCluster unknown = heldFor(orders(), NAME);
    assertThat(restoredRevision(next(stopped(unknown, foundingRecords(unknown), replaced))))
        .as("the cluster's revision unknown").contains(1_000_000_042L);
    assertThat(restoredRevision(next(stopped(bumpedBefore, foundingRecords(bumpedBefore), replaced))))
        .as("past the cluster's own revision by the bump").contains(2_000_100_500L);
    RestoreStep unbumped = next(stopped(bumpedBefore, foundingRecords(bumpedBefore), replaced)
        .resolvedAgain(RestoreSources.Resolution.of(SOURCE.withBumpRevision(0))));
    assertThat(restoredRevision(unbumped)).as("a restore asked not to bump is left as asked").contains(42L);
  }

  private static Optional<Long> restoredRevision(RestoreStep step) {
    assertThat(step).isInstanceOf(RestoreStep.RewriteRecords.class);
    RestoreStep.RewriteRecords rewrite = (RestoreStep.RewriteRecords) step;
    long recorded = rewrite.records().of("orders-0").orElseThrow().restore().orElseThrow().bumpRevision();
    assertThat(rewrite.restoredRevision()).as("the status says what the members restore").contains(42L + recorded);
    return rewrite.restoredRevision();
  }

  @Test
  void rewrittenRecordsReleaseTheClusterToItsReconciler() {
    EtcdCluster cluster = heldFor(orders(), NAME);

    assertThat(next(inPlace().status(replaced(stoppingInPlace(cluster))).cluster(cluster)
        .records(restoringRecords(cluster)))).isEqualTo(new RestoreStep.Release(
        "the members of EtcdCluster orders restore " + LOCATION));
  }

  @Test
  void releasedTheRestoreWatchesUntilEveryMemberHasRestoredAndTheClusterIsAvailable() {
    EtcdCluster cluster = withStatus(orders(), 3, true, null);
    RestorePass pass = inPlace().status(replaced(stoppingInPlace(cluster))).cluster(cluster);

    assertThat(next(pass.records(restoringRecords(cluster)))).as("members still restoring").isEqualTo(
        new RestoreStep.Watch("EtcdCluster orders restores " + LOCATION + ": 3 of 3 members ready"));
    assertThat(next(pass.records(restoringRecords(cluster).restored()))).isEqualTo(new RestoreStep.Succeed(
        "EtcdCluster orders is restored from " + LOCATION + " at revision 1000000042 (the snapshot's 42, bumped past):"
        + " 3 of 3 members ready", List.of("data-orders-0", "data-orders-1", "data-orders-2")));
  }

  @Test
  void aMemberThatCannotFetchTheSnapshotShowsInTheRestoresProgress() {
    String degraded = "orders-2: init container fetch-snapshot failed";
    EtcdCluster cluster = withStatus(orders(), 2, false, degraded);

    assertThat(next(inPlace().status(replaced(stoppingInPlace(cluster))).cluster(cluster)
        .records(restoringRecords(cluster))))
        .isEqualTo(new RestoreStep.Watch("EtcdCluster orders restores " + LOCATION + ": " + degraded));
  }

  // ---- resuming after an operator restart ----

  @Test
  void afterARestartWhileTheSourceWasCheckedTheCheckStartsAgain() {
    EtcdRestoreStatus checking = new EtcdRestoreStatus();
    checking.setPhase(OperationPhase.Pending);
    checking.setReason(RestorePlanner.CHECKING);
    EtcdCluster held = heldFor(orders(), NAME);

    assertThat(next(intoNewCluster(null).status(checking))).isEqualTo(new RestoreStep.WaitForCheck());
    assertThat(next(inPlace().status(checking).cluster(held).records(foundingRecords(held))))
        .as("still held: not taken again").isEqualTo(new RestoreStep.WaitForCheck());
  }

  @Test
  void afterARestartAnInPlaceRestoreResumesAtTheStepTheApiServerShows() {
    EtcdCluster cluster = heldFor(withStatus(orders(), 0, false, null), NAME);
    EtcdRestoreStatus stopping = stoppingInPlace(cluster);
    MemberBootstrapRecords founding = foundingRecords(cluster);
    RestorePlanner restarted = new RestorePlanner(TestClusters.SETTINGS, THREE_ATTEMPTS);

    assertThat(restarted.next(inPlace().status(stopping).cluster(cluster).records(founding)
        .memberPods(memberPods(cluster)).observation())).isInstanceOf(RestoreStep.StopMembers.class);
    assertThat(restarted.next(stopped(cluster, founding, null).observation()))
        .isInstanceOf(RestoreStep.RecordReplacedClaims.class);
    assertThat(restarted.next(stopped(cluster, founding, List.of("data-orders-0")).observation()))
        .isInstanceOf(RestoreStep.RewriteRecords.class);
    assertThat(restarted.next(inPlace().status(replaced(stopping)).cluster(cluster).records(restoringRecords(cluster))
        .observation())).isInstanceOf(RestoreStep.Release.class);
    EtcdCluster released = withStatus(orders(), 0, false, null);
    assertThat(restarted.next(inPlace().status(replaced(stopping)).cluster(released)
        .records(restoringRecords(released)).observation())).isInstanceOf(RestoreStep.Watch.class);
    EtcdCluster available = withStatus(orders(), 3, true, null);
    assertThat(restarted.next(inPlace().status(replaced(stopping)).cluster(available)
        .records(restoringRecords(available).restored()).observation())).isInstanceOf(RestoreStep.Succeed.class);
  }

  @Test
  void afterARestartANewClusterRestoreResumesAtTheStepTheApiServerShows() {
    RestorePlanner restarted = new RestorePlanner(TestClusters.SETTINGS, THREE_ATTEMPTS);
    EtcdCluster created = withStatus(createdByThisRestore(), 1, false, null);

    assertThat(restarted.next(intoNewCluster(null).observation())).isInstanceOf(RestoreStep.WaitForCheck.class);
    assertThat(restarted.next(intoNewCluster(null).cluster(created).observation()))
        .isInstanceOf(RestoreStep.TrackCluster.class);
    assertThat(restarted.next(intoNewCluster(null).status(restoringNewCluster(created)).cluster(created)
        .observation())).isInstanceOf(RestoreStep.Watch.class);
  }

  // ---- what a pass observes ----

  @Test
  void onlyAnInPlaceRestoreThatRunsStopsMembersUntilTheirRecordsAreRewritten() {
    EtcdCluster cluster = orders();
    EtcdRestoreStatus pending = new EtcdRestoreStatus();
    pending.setPhase(OperationPhase.Pending);

    assertThat(RestorePlanner.stopsMembers(inPlace().restore(), stoppingInPlace(cluster), foundingRecords(cluster)))
        .isTrue();
    assertThat(RestorePlanner.stopsMembers(inPlace().restore(), stoppingInPlace(cluster), restoringRecords(cluster)))
        .isFalse();
    assertThat(RestorePlanner.stopsMembers(inPlace().restore(), pending, foundingRecords(cluster))).isFalse();
    assertThat(RestorePlanner.stopsMembers(intoNewCluster(null).restore(), restoringNewCluster(cluster),
        foundingRecords(cluster))).isFalse();
  }

  @Test
  void theHoldIsTheAnnotationNamingTheRestore() {
    assertThat(ClusterHold.holder(orders())).isEmpty();
    assertThat(ClusterHold.holder(heldFor(orders(), NAME))).contains(NAME);
  }

  // ---- helpers ----

  /** In place, every member stopped, the source resolving; the replaced claims on record, if given. */
  private static RestorePass stopped(EtcdCluster cluster, MemberBootstrapRecords records, List<String> replaced) {
    EtcdRestoreStatus status = stoppingInPlace(cluster);
    status.setReplacedClaims(replaced);
    return inPlace().status(status).cluster(cluster).records(records)
        .resolvedAgain(RestoreSources.Resolution.of(SOURCE.withSha256(Optional.empty())));
  }

  private static EtcdRestoreStatus replaced(EtcdRestoreStatus status) {
    status.setReason(RestorePlanner.RESTORING);
    status.setReplacedClaims(List.of("data-orders-0", "data-orders-1", "data-orders-2"));
    return status;
  }

  private static ConfigMap manifest(String name) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata().build();
  }

  private static Pod fetchPod(String name) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata().build();
  }
}
