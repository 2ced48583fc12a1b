package dev.quorum.render;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PeersTest {

  @Test
  void namesAndHostsAreRead() {
    Peers.Parsed parsed = Peers.parse("cp-1=10.0.0.1, cp-2=cp-2.example.com,cp-3=fd00::3");

    assertThat(parsed.valid()).as(parsed.problems().toString()).isTrue();
    assertThat(parsed.peers()).containsExactly(new Peer("cp-1", "10.0.0.1"), new Peer("cp-2", "cp-2.example.com"),
        new Peer("cp-3", "fd00::3"));
    assertThat(parsed.peers().get(2).hostPort(2380)).isEqualTo("[fd00::3]:2380");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    Peers.Parsed parsed = Peers.parse("a=10.0.0.1,a=10.0.0.2,B_=999.1.1.1,d=bad host");

    assertThat(parsed.valid()).isFalse();
    assertThat(String.join("\n", parsed.problems()))
        .contains("peer name 'a' appears twice")
        .contains("peer name 'B_' is not a DNS label")
        .contains("host '999.1.1.1' is neither an IP address nor a DNS name")
        .contains("host 'bad host' is neither")
        .contains("odd number of members from 3 to 9 (got 4)");
  }

  @Test
  void tooFewOrMalformedPeersAreRefused() {
    assertThat(Peers.parse("a=10.0.0.1").problems()).anyMatch(p -> p.contains("(got 1)"));
    assertThat(Peers.parse("").problems()).anyMatch(p -> p.contains("no peers"));
    assertThat(Peers.parse("a=10.0.0.1,b,c=").problems()).anyMatch(p -> p.contains("'b' is not name=host"))
        .anyMatch(p -> p.contains("'c=' is not name=host"));
    assertThat(Peers.parse("a=h1,b=h1,c=h3").problems()).anyMatch(p -> p.contains("host 'h1' appears twice"));
  }
}
