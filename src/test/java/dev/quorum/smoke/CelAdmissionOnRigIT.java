package dev.quorum.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quorum.rig.RigSession;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Admission on the rig is the real API server's: a CRD's CEL rule rejects a violating object with its message. */
class CelAdmissionOnRigIT {

  @RegisterExtension
  static final RigSession RIG = new RigSession();

  @Test
  void celRuleRejectsViolatingObjectWithItsMessage() {
    CustomResourceDefinition crd = RIG.client().apiextensions().v1().customResourceDefinitions()
        .load(getClass().getResourceAsStream("/rig/widgets-crd.yaml")).item();
    RIG.client().resource(crd).serverSideApply();
    await("CRD established").atMost(Duration.ofSeconds(30)).until(() -> RIG.client().apiextensions().v1()
        .customResourceDefinitions().withName(crd.getMetadata().getName()).get().getStatus().getConditions()
        .stream().anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())));
    ResourceDefinitionContext widgets = new ResourceDefinitionContext.Builder().withGroup("rig.quorum.dev")
        .withVersion("v1").withPlural("widgets").withKind("Widget").withNamespaced(true).build();

    GenericKubernetesResource even = widget("even", 4);
    assertThatThrownBy(() -> RIG.client().genericKubernetesResources(widgets).inNamespace(RIG.namespace()).resource(even).create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining("replicas must be odd");

    GenericKubernetesResource odd = RIG.client().genericKubernetesResources(widgets).inNamespace(RIG.namespace())
        .resource(widget("odd", 3)).create();
    assertThat(odd.getMetadata().getUid()).isNotBlank();
  }

  private GenericKubernetesResource widget(String name, int replicas) {
    return new GenericKubernetesResourceBuilder().withApiVersion("rig.quorum.dev/v1").withKind("Widget")
        .withNewMetadata().withName(name).withNamespace(RIG.namespace()).endMetadata()
        .addToAdditionalProperties("spec", Map.of("replicas", replicas)).build();
  }
}
