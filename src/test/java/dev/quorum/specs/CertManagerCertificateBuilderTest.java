package dev.quorum.specs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quorum.TestClusters;
import dev.quorum.api.v1alpha1.CertManagerIssuer;
import dev.quorum.api.v1alpha1.ClusterTls;
import dev.quorum.api.v1alpha1.EtcdCluster;
import dev.quorum.model.EtcdClusterModel;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CertManagerCertificateBuilderTest {

  @Test
  void theCertificateCoversTheMembersForServingAndDiallingPeersFromTheNamedIssuer() {
    EtcdCluster cluster = TestClusters.cluster("demo", 3);
    ClusterTls tls = new ClusterTls();
    tls.setCertificates(ClusterTls.Certificates.CertManager);
    CertManagerIssuer issuer = new CertManagerIssuer();
    issuer.setName("platform-ca");
    issuer.setKind("ClusterIssuer");
    tls.setIssuerRef(issuer);
    cluster.getSpec().setTls(tls);
    EtcdClusterModel model = TestClusters.model(cluster);

    GenericKubernetesResource certificate = CertManagerCertificateBuilder.build(model);

    assertThat(certificate.getApiVersion()).isEqualTo("cert-manager.io/v1");
    assertThat(certificate.getMetadata().getName()).isEqualTo("demo-tls");
    assertThat(certificate.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getName()).isEqualTo("demo"));
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) certificate.getAdditionalProperties().get("spec");
    assertThat(spec).containsEntry("secretName", "demo-tls")
        .containsEntry("dnsNames", model.tls().tlsDnsNames())
        .containsEntry("ipAddresses", List.of("127.0.0.1"))
        .containsEntry("usages", List.of("digital signature", "server auth", "client auth"))
        .containsEntry("issuerRef", Map.of("name", "platform-ca", "kind", "ClusterIssuer", "group", "cert-manager.io"));
    assertThat(model.tls().tlsDnsNames()).contains("*.demo.default.svc.cluster.local");
    assertThat(model.tls().memberTlsSecret()).isEqualTo("demo-tls");
    assertThat(model.tls().operatorCertificates()).isFalse();
  }
}
