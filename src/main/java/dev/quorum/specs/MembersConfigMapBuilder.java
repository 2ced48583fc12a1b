package dev.quorum.specs;

import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Member;
import dev.quorum.model.MemberBootstrapRecords;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** The members ConfigMap: each member's bootstrap on record (see MemberBootstrapRecords). */
public final class MembersConfigMapBuilder {

  private MembersConfigMapBuilder() {}

  /** The founding records: one per member of the size, as the model gives them. */
  public static ConfigMap build(EtcdClusterModel model) {
    Map<String, String> data = new LinkedHashMap<>();
    for (Member member : model.members()) {
      data.put(member.name(), member.bootstrap().toRecord());
    }
    return configMap(model, data);
  }

  /**
   * Exactly {@code records}, whatever the size says: while the size changes, members join and leave one at a time,
   * each with a record of its own (an unreadable record is kept as it is).
   */
  public static ConfigMap build(EtcdClusterModel model, MemberBootstrapRecords records) {
    Map<String, String> data = new TreeMap<>(records.unreadable());
    records.byMember().forEach((member, bootstrap) -> data.put(member, bootstrap.toRecord()));
    return configMap(model, data);
  }

  private static ConfigMap configMap(EtcdClusterModel model, Map<String, String> data) {
    return new ConfigMapBuilder()
        .withMetadata(ChildMetadata.of(model, model.membersConfigMap()))
        .withData(data)
        .build();
  }
}
