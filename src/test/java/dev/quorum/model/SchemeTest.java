package dev.quorum.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SchemeTest {

  @Test
  void joinsSchemeHostAndPort() {
    assertThat(Scheme.HTTP.url("demo-0.demo.ns.svc.cluster.local", EtcdPorts.PEER))
        .isEqualTo("http://demo-0.demo.ns.svc.cluster.local:2380");
    assertThat(Scheme.HTTPS.url("demo-0.demo.ns.svc.cluster.local", EtcdPorts.CLIENT))
        .isEqualTo("https://demo-0.demo.ns.svc.cluster.local:2379");
    assertThat(Scheme.HTTP.url("0.0.0.0", EtcdPorts.METRICS)).isEqualTo("http://0.0.0.0:2381");
  }

  @Test
  void bracketsAnIpv6HostOnce() {
    assertThat(Scheme.HTTP.url("fd00::1", EtcdPorts.CLIENT)).isEqualTo("http://[fd00::1]:2379");
    assertThat(Scheme.HTTP.url("[fd00::1]", EtcdPorts.CLIENT)).isEqualTo("http://[fd00::1]:2379");
  }
}
