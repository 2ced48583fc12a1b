package dev.quorum.specs;

import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** The members ConfigMap: each member's bootstrap on record (see MemberBootstrapRecords). */
public final class MembersConfigMapBuilder {

  private MembersConfigMapBuilder() {}

  public static ConfigMap build(EtcdClusterModel model) {
    Map<String, String> data = new LinkedHashMap<>();
    for (Member member : model.members()) {
      data.put(member.name(), member.bootstrap().toRecord());
    }
    return new ConfigMapBuilder()
        .withMetadata(ChildMetadata.of(model, model.membersConfigMap()))
        .withData(data)
        .build();
  }
}
