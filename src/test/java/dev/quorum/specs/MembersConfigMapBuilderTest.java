package dev.quorum.specs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrap;
import dev.quorum.model.MemberBootstrapRecords;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MembersConfigMapBuilderTest {

  @Test
  void recordsEveryMembersBootstrapUnderItsName() {
    EtcdClusterModel model = TestClusters.model(TestClusters.cluster("demo", 3));

    ConfigMap members = MembersConfigMapBuilder.build(model);

    assertThat(members.getMetadata().getName()).isEqualTo("demo-members");
    assertThat(members.getData()).containsOnlyKeys("demo-0", "demo-1", "demo-2");
    for (Member member : model.members()) {
      assertThat(members.getData().get(member.name())).isEqualTo(member.bootstrap().toRecord());
    }
  }

  @Test
  void readsBackAsTheModelsBootstraps() {
    EtcdClusterModel model = TestClusters.model(TestClusters.cluster("demo", 3));

    MemberBootstrapRecords records = MemberBootstrapRecords.parse(MembersConfigMapBuilder.build(model).getData());

    assertThat(records.unreadable()).isEmpty();
    for (Member member : model.members()) {
      assertThat(records.of(member.name())).contains(member.bootstrap());
    }
  }

  @Test
  void keepsWhatIsAlreadyOnRecord() {
    MemberBootstrap joined = new MemberBootstrap(MemberBootstrap.State.EXISTING,
        "demo-0=http://demo-0.demo.default.svc.cluster.local:2380", "demo-6f1c9a2e");
    EtcdClusterModel model = TestClusters.model(TestClusters.cluster("demo", 3),
        new MemberBootstrapRecords(Map.of("demo-1", joined), Map.of()));

    assertThat(MembersConfigMapBuilder.build(model).getData()).containsEntry("demo-1", joined.toRecord());
  }
}
