package dev.quorum.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MemberBootstrapTest {

  private static final String CLUSTER =
      "demo-0=http://demo-0.demo.ns.svc.cluster.local:2380,demo-1=http://demo-1.demo.ns.svc.cluster.local:2380";
  private static final MemberBootstrap FOUNDING =
      new MemberBootstrap(MemberBootstrap.State.NEW, CLUSTER, "demo-6f1c9a2e");

  @Test
  void flagsAreEtcdsInAStableOrder() {
    assertThat(FOUNDING.flags()).containsExactly(
        java.util.Map.entry("initial-cluster", CLUSTER),
        java.util.Map.entry("initial-cluster-state", "new"),
        java.util.Map.entry("initial-cluster-token", "demo-6f1c9a2e"));
    assertThat(MemberBootstrap.State.EXISTING.flagValue()).isEqualTo("existing");
  }

  @Test
  void recordIsOneReadableFlagPerLine() {
    assertThat(FOUNDING.toRecord()).isEqualTo("""
        initial-cluster: %s
        initial-cluster-state: new
        initial-cluster-token: demo-6f1c9a2e
        """.formatted(CLUSTER));
  }

  @Test
  void recordReadsBackAsTheSameBootstrap() {
    MemberBootstrap joining = new MemberBootstrap(MemberBootstrap.State.EXISTING, CLUSTER, "demo-6f1c9a2e");

    assertThat(MemberBootstrap.fromRecord(FOUNDING.toRecord())).contains(FOUNDING);
    assertThat(MemberBootstrap.fromRecord(joining.toRecord())).contains(joining);
  }

  @Test
  void aSurvivorForcedIntoANewClusterCarriesTheFlagOnRecordUntilItIsTakenOff() {
    MemberBootstrap forced = FOUNDING.forcingNewCluster(true);

    assertThat(forced.flags()).containsEntry("force-new-cluster", "true");
    assertThat(forced.toRecord()).endsWith("force-new-cluster: true\n");
    assertThat(MemberBootstrap.fromRecord(forced.toRecord())).contains(forced);
    assertThat(forced.forcingNewCluster(false)).isEqualTo(FOUNDING);
    assertThat(FOUNDING.flags()).doesNotContainKey("force-new-cluster");
  }

  @Test
  void aRecordEditedByHandStillReads() {
    // CRLF line endings, extra blanks and unknown lines, as an editor may leave them
    String edited = "# joined later\r\ninitial-cluster-token:   demo-6f1c9a2e \r\n"
        + "initial-cluster-state: new\r\ninitial-cluster: " + CLUSTER + "\r\n";

    assertThat(MemberBootstrap.fromRecord(edited)).contains(FOUNDING);
  }

  @ParameterizedTest
  @ValueSource(strings = {"initial-cluster:", "initial-cluster-state:", "initial-cluster-token:"})
  void aRecordMissingASettingIsRejected(String missing) {
    String incomplete = FOUNDING.toRecord().lines()
        .filter(line -> !line.startsWith(missing))
        .map(line -> line + "\n")
        .reduce("", String::concat);

    assertThat(MemberBootstrap.fromRecord(incomplete)).isEmpty();
  }

  @Test
  void aRecordWithAnEmptySettingIsRejected() {
    assertThat(MemberBootstrap.fromRecord(FOUNDING.toRecord().replace("demo-6f1c9a2e", ""))).isEmpty();
  }

  @Test
  void aRecordWithAnUnknownStateIsRejected() {
    assertThat(MemberBootstrap.fromRecord(FOUNDING.toRecord().replace("state: new", "state: restored"))).isEmpty();
    assertThat(MemberBootstrap.fromRecord(FOUNDING.toRecord().replace("state: new", "state: NEW"))).isEmpty();
  }

  @Test
  void anythingElseIsRejected() {
    assertThat(MemberBootstrap.fromRecord("")).isEmpty();
    assertThat(MemberBootstrap.fromRecord("not a record")).isEmpty();
  }

  @Test
  void aRestoringRecordKeepsItsClaimAndSourceAndReadsBack() {
    RestoreSource source = new RestoreSource("backups", "ns/demo/b 1.db.gz", "us-east-1",
        java.util.Optional.of("http://s3:9000"), true,
        java.util.Optional.of(new RestoreSource.CredentialsSecret("s3", "id", "secret")),
        java.util.Optional.of("ab12"));
    MemberBootstrap restoring = FOUNDING.restoring(source, "data-demo-0-6f1c9a2e");

    assertThat(restoring.toRecord()).isEqualTo(FOUNDING.toRecord() + """
        data-claim: data-demo-0-6f1c9a2e
        restore-from: s3://backups/ns/demo/b 1.db.gz
        restore-region: us-east-1
        restore-endpoint: http://s3:9000
        restore-path-style: true
        restore-sha256: ab12
        restore-credentials-secret: s3
        restore-access-key-id-key: id
        restore-secret-access-key-key: secret
        """);
    assertThat(MemberBootstrap.fromRecord(restoring.toRecord())).contains(restoring);
    assertThat(restoring.flags()).as("etcd's flags are unchanged").isEqualTo(FOUNDING.flags());

    MemberBootstrap restored = restoring.restored();
    assertThat(restored.restore()).isEmpty();
    assertThat(restored.dataClaim()).contains("data-demo-0-6f1c9a2e");
    assertThat(MemberBootstrap.fromRecord(restored.toRecord())).contains(restored);
  }

  @Test
  void aRevisionBumpIsOnRecordSoEveryMemberRestoresWithTheSameAndAnOlderRecordWithoutOneHasNone() {
    RestoreSource source = new RestoreSource("backups", "k.db", "us-east-1", java.util.Optional.empty(), false,
        java.util.Optional.empty(), java.util.Optional.empty()).withBumpRevision(1_000_000_000L);
    MemberBootstrap restoring = FOUNDING.restoring(source, "data-demo-0-6f1c9a2e");

    assertThat(restoring.toRecord()).contains("restore-bump-revision: 1000000000\n");
    assertThat(MemberBootstrap.fromRecord(restoring.toRecord())).contains(restoring);
    String older = restoring.toRecord().replace("restore-bump-revision: 1000000000\n", "");
    assertThat(MemberBootstrap.fromRecord(older).flatMap(MemberBootstrap::restore).orElseThrow().bumpRevision())
        .isZero();
    assertThat(MemberBootstrap.fromRecord(restoring.toRecord().replace("1000000000", "a lot")))
        .as("a bump that does not read: the record is reported, not restored without it").isEmpty();
  }

  @Test
  void aDamagedSourceIsReportedNotIgnored() {
    String damaged = FOUNDING.toRecord() + "restore-from: s3://only-a-bucket\nrestore-region: us-east-1\n";
    String withoutRegion = FOUNDING.toRecord() + "restore-from: s3://b/k\n";

    assertThat(MemberBootstrap.fromRecord(damaged)).isEmpty();
    assertThat(MemberBootstrap.fromRecord(withoutRegion)).isEmpty();
  }
}
