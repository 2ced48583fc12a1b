package dev.quorum.specs;

import dev.quorum.model.Annotations;
import dev.quorum.model.EtcdClusterModel;
import dev.quorum.model.Labels;
import dev.quorum.model.Member;
import dev.quorum.staticpod.NodeAgent;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;

/**
 * StaticPod mode: a member's static pod manifest in a ConfigMap, labelled with its node, whose node agent writes it
 * into the kubelet's manifest directory. The ConfigMap carries the manifest's shape hash, so the operator can tell
 * whether the mirror pod runs what the ConfigMap holds.
 */
public final class StaticPodManifestBuilder {

  private StaticPodManifestBuilder() {}

  public static ConfigMap build(EtcdClusterModel model, Member member) {
    Pod manifest = MemberPodBuilder.build(model, member);
    Map<String, String> labels = model.memberLabels(member);
    labels.put(Labels.STATIC_POD_NODE, model.staticPod().nodeOf(member));
    return new ConfigMapBuilder()
        .withMetadata(ChildMetadata.builder(model, model.staticPod().manifestConfigMap(member.name()))
            .withLabels(labels)
            .withAnnotations(Map.of(Annotations.SHAPE_HASH,
                manifest.getMetadata().getAnnotations().get(Annotations.SHAPE_HASH)))
            .build())
        .withData(Map.of(NodeAgent.MANIFEST_KEY, Serialization.asYaml(manifest)))
        .build();
  }

  /** The shape hash of the manifest a ConfigMap holds. */
  public static String shapeHash(ConfigMap configMap) {
    Map<String, String> annotations = configMap.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(Annotations.SHAPE_HASH);
  }
}
