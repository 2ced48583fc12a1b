package dev.quorum.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EtcdClientSettingsTest {

  private final EtcdClientSettings plain = new EtcdClientSettings(Duration.ofSeconds(2), Duration.ofSeconds(5), Optional.empty());

  @Test
  void aClientNeedsAnEndpoint() {
    assertThatThrownBy(() -> EtcdClusterClient.connect(List.of(), plain)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aClientCanBeBuiltAndClosedWithoutReachingEtcd() {
    // jetcd connects lazily: building and closing must not need a live member
    try (EtcdClusterClient client = EtcdClusterClient.connect(List.of("http://127.0.0.1:1"), plain)) {
      assertThat(client.endpoints()).containsExactly("http://127.0.0.1:1");
    }
  }
}
