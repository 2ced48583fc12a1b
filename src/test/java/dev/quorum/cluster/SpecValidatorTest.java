package dev.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.ClusterMode;
import dev.quorum.api.v1alpha1.EtcdClusterSpec;
import dev.quorum.api.v1alpha1.EtcdTuning;
import dev.quorum.api.v1alpha1.StaticPodSettings;
import dev.quorum.model.MemberBootstrapRecords;
import dev.quorum.specs.MembersConfigMapBuilder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecValidatorTest {

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 4, 6, 8, 10, 11, -3})
  void rejectsSizesWithoutAUsefulMajority(int size) {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setSize(size);

    assertThat(SpecValidator.problems(spec)).singleElement().asString()
        .contains("size must be an odd number from 3 to 9")
        .contains("quorum = size/2 + 1")
        .contains("even size tolerates no more failures")
        .contains("(got " + size + ")");
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 5, 7, 9})
  void acceptsOddSizesFromThreeToNine(int size) {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setSize(size);

    assertThat(SpecValidator.problems(spec)).isEmpty();
  }

  @Test
  void aDefragmentationNeedsATriggerAndAScheduleThatParses() {
    EtcdClusterSpec none = new EtcdClusterSpec();
    none.setDefragmentation(new dev.quorum.api.v1alpha1.DefragmentationPolicy());
    EtcdClusterSpec badCron = new EtcdClusterSpec();
    badCron.setDefragmentation(new dev.quorum.api.v1alpha1.DefragmentationPolicy());
    badCron.getDefragmentation().setSchedule("61 * * * *");
    EtcdClusterSpec badZone = new EtcdClusterSpec();
    badZone.setDefragmentation(new dev.quorum.api.v1alpha1.DefragmentationPolicy());
    badZone.getDefragmentation().setSchedule("@daily");
    badZone.getDefragmentation().setTimeZone("Mars/Olympus");

    assertThat(SpecValidator.problems(none)).containsExactly(
        dev.quorum.api.v1alpha1.DefragmentationPolicy.NO_TRIGGER_MESSAGE);
    assertThat(SpecValidator.problems(badCron)).singleElement().asString().startsWith("spec.defragmentation: ");
    assertThat(SpecValidator.problems(badZone)).singleElement().asString().contains("Mars/Olympus");
  }

  @Test
  void aSizeThatDiffersFromTheMembersOnRecordIsAChangeNotAProblem() {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setSize(5);

    assertThat(SpecValidator.problems(spec, threeMembersOnRecord())).isEmpty();
  }

  @Test
  void namesTheMembersWhoseRecordCannotBeRead() {
    Map<String, String> data = new HashMap<>(
        MembersConfigMapBuilder.build(TestClusters.model(TestClusters.cluster("demo", 3))).getData());
    data.put("demo-2", "initial-cluster-state: restored\n");
    EtcdClusterSpec spec = new EtcdClusterSpec();

    assertThat(SpecValidator.problems(spec, MemberBootstrapRecords.parse(data))).singleElement().asString()
        .contains("bootstrap records of demo-2 in the members ConfigMap cannot be read")
        .contains("initial-cluster-state (new or existing)");
  }

  @Test
  void staticPodModeNeedsItsSettingsAndANodeSelector() {
    EtcdClusterSpec noSettings = new EtcdClusterSpec();
    noSettings.setMode(ClusterMode.StaticPod);
    assertThat(SpecValidator.problems(noSettings)).containsExactly(EtcdClusterSpec.STATIC_POD_SETTINGS_MESSAGE);

    EtcdClusterSpec noSelector = TestClusters.staticPodCluster("main").getSpec();
    noSelector.getStaticPod().setNodeSelector(Map.of());
    assertThat(SpecValidator.problems(noSelector)).containsExactly(StaticPodSettings.NODE_SELECTOR_MESSAGE);

    EtcdClusterSpec settingsWithoutMode = TestClusters.staticPodCluster("main").getSpec();
    settingsWithoutMode.setMode(ClusterMode.StatefulSet);
    assertThat(SpecValidator.problems(settingsWithoutMode)).containsExactly(EtcdClusterSpec.STATIC_POD_SETTINGS_MESSAGE);

    assertThat(SpecValidator.problems(TestClusters.staticPodCluster("main").getSpec())).isEmpty();
  }

  @Test
  void aMissingSpecIsAProblem() {
    assertThat(SpecValidator.problems(null)).containsExactly("spec is missing");
    assertThat(SpecValidator.problems(null, MemberBootstrapRecords.NONE)).containsExactly("spec is missing");
  }

  @Test
  void refusesFlagsTheOperatorOwnsAndNamesThem() {
    EtcdClusterSpec spec = withExtraArgs(Map.of("initial-cluster", "x=http://x:2380", "data-dir", "/tmp", "max-txn-ops", "256"));

    assertThat(SpecValidator.problems(spec)).singleElement().asString()
        .contains("the operator sets these flags itself")
        .contains("(got data-dir, initial-cluster)");
  }

  @Test
  void refusesFlagNamesWithDashes() {
    EtcdClusterSpec spec = withExtraArgs(Map.of("--max-txn-ops", "256"));

    assertThat(SpecValidator.problems(spec)).singleElement().asString().contains("without leading dashes");
  }

  @Test
  void electionTimeoutMustCoverFiveHeartbeats() {
    assertThat(SpecValidator.problems(withTimeouts(100, 500))).isEmpty();
    assertThat(SpecValidator.problems(withTimeouts(100, 499))).singleElement().asString()
        .contains("at least 5 times heartbeatIntervalMillis");
  }

  @Test
  void anUnsetTimeoutCountsWithEtcdsDefault() {
    // heartbeat 300 with the default election timeout 1000 would stop etcd from starting
    assertThat(SpecValidator.problems(withTimeouts(300, null))).hasSize(1);
    assertThat(SpecValidator.problems(withTimeouts(null, 400))).hasSize(1);
    assertThat(SpecValidator.problems(withTimeouts(150, null))).isEmpty();
    assertThat(SpecValidator.problems(withTimeouts(null, 2000))).isEmpty();
  }

  @Test
  void reportsEveryProblemAtOnce() {
    EtcdClusterSpec spec = withExtraArgs(Map.of("name", "me"));
    spec.setSize(4);
    spec.getEtcd().setHeartbeatIntervalMillis(500);

    assertThat(SpecValidator.problems(spec)).hasSize(3);
    assertThat(SpecValidator.problems(spec, threeMembersOnRecord())).as("the records are readable").hasSize(3);
  }

  private static MemberBootstrapRecords threeMembersOnRecord() {
    return TestClusters.foundingRecords(TestClusters.model(TestClusters.cluster("demo", 3)));
  }

  private static EtcdClusterSpec withExtraArgs(Map<String, String> extraArgs) {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setEtcd(new EtcdTuning());
    spec.getEtcd().setExtraArgs(extraArgs);
    return spec;
  }

  private static EtcdClusterSpec withTimeouts(Integer heartbeat, Integer election) {
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setEtcd(new EtcdTuning());
    spec.getEtcd().setHeartbeatIntervalMillis(heartbeat);
    spec.getEtcd().setElectionTimeoutMillis(election);
    return spec;
  }
}
