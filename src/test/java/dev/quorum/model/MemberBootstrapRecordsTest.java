package dev.quorum.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MemberBootstrapRecordsTest {

  private static final MemberBootstrap FOUNDING = new MemberBootstrap(MemberBootstrap.State.NEW,
      "demo-0=http://demo-0.demo.ns.svc.cluster.local:2380", "demo-6f1c9a2e");
  private static final MemberBootstrap JOINING = new MemberBootstrap(MemberBootstrap.State.EXISTING,
      "demo-0=http://demo-0.demo.ns.svc.cluster.local:2380,demo-1=http://demo-1.demo.ns.svc.cluster.local:2380",
      "demo-6f1c9a2e");

  @Test
  void readsEachMembersRecord() {
    MemberBootstrapRecords records = MemberBootstrapRecords.parse(Map.of(
        "demo-0", FOUNDING.toRecord(),
        "demo-1", JOINING.toRecord()));

    assertThat(records.of("demo-0")).contains(FOUNDING);
    assertThat(records.of("demo-1")).contains(JOINING);
    assertThat(records.of("demo-2")).isEmpty();
    assertThat(records.unreadable()).isEmpty();
    assertThat(records.count()).isEqualTo(2);
    assertThat(records.isEmpty()).isFalse();
  }

  @Test
  void anUnreadableEntryIsKeptAsItWasForTheReport() {
    String damaged = "initial-cluster-state: restored\n";

    MemberBootstrapRecords records = MemberBootstrapRecords.parse(Map.of(
        "demo-0", FOUNDING.toRecord(),
        "demo-1", damaged));

    assertThat(records.byMember()).containsOnlyKeys("demo-0");
    assertThat(records.unreadable()).containsExactly(Map.entry("demo-1", damaged));
    assertThat(records.of("demo-1")).as("an unreadable member has no bootstrap to start with").isEmpty();
    assertThat(records.count()).as("it still counts as a member on record").isEqualTo(2);
    assertThat(records.isEmpty()).isFalse();
  }

  @Test
  void aConfigMapWithoutDataHoldsNoRecords() {
    assertThat(MemberBootstrapRecords.parse(null).isEmpty()).isTrue();
    assertThat(MemberBootstrapRecords.parse(Map.of()).count()).isZero();
    assertThat(MemberBootstrapRecords.NONE.isEmpty()).isTrue();
    assertThat(MemberBootstrapRecords.NONE.count()).isZero();
  }

  @Test
  void aMissingValueIsAnUnreadableRecordNotACrash() {
    Map<String, String> data = new java.util.HashMap<>();
    data.put("demo-0", null);
    assertThat(MemberBootstrapRecords.parse(data).unreadable()).containsOnlyKeys("demo-0");
  }
}
