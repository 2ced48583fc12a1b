package dev.quorum.specs;

import dev.quorum.api.v1alpha1.CertManagerIssuer;
import dev.quorum.model.EtcdClusterModel;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code certificates: CertManager}: the cert-manager Certificate of the members' Secret, for the names the operator's
 * own certificates cover and for serving and dialling peers alike. cert-manager issues and renews it; its private
 * key is new at each renewal.
 */
public final class CertManagerCertificateBuilder {

  public static final ResourceDefinitionContext CERTIFICATES = new ResourceDefinitionContext.Builder()
      .withGroup("cert-manager.io").withVersion("v1").withKind("Certificate").withPlural("certificates")
      .withNamespaced(true).build();

  private CertManagerCertificateBuilder() {}

  public static GenericKubernetesResource build(EtcdClusterModel model) {
    CertManagerIssuer issuer = model.spec().getTls().getIssuerRef();
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("secretName", model.tls().memberTlsSecret());
    spec.put("secretTemplate", Map.of("labels", model.labels()));
    spec.put("dnsNames", model.tls().tlsDnsNames());
    spec.put("ipAddresses", model.tls().tlsIpAddresses());
    spec.put("usages", List.of("digital signature", "server auth", "client auth"));
    spec.put("privateKey", Map.of("algorithm", "ECDSA", "size", 256, "rotationPolicy", "Always"));
    spec.put("issuerRef", Map.of("name", issuer.getName(), "kind", issuer.getKind(), "group", issuer.getGroup()));
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(CERTIFICATES.getGroup() + "/" + CERTIFICATES.getVersion()).withKind(CERTIFICATES.getKind())
        .withMetadata(ChildMetadata.of(model, model.tls().memberTlsSecret()))
        .addToAdditionalProperties("spec", spec)
        .build();
  }
}
