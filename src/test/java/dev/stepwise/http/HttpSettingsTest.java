package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HTTP edge's limits as configured, and the combinations a node refuses to start with. */
class HttpSettingsTest {

  static Config config(Map<String, Object> overrides) {
    return NodeConfig.load(ConfigFactory.parseMap(overrides), Map.of());
  }

  @Test
  void theDefaultsBoundStreamsRequestsAndTokens() {
    Config config = config(Map.of());
    HttpSettings settings = HttpSettings.from(config);
    assertThat(settings.maxSseClients()).isEqualTo(256);
    assertThat(settings.requestReadTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.jwt().issuer()).isNull();
    assertThat(settings.jwt().audience()).isNull();
    assertThat(config.getDuration("pekko.http.server.request-timeout"))
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(config.getDuration("pekko.http.server.idle-timeout"))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(config.getInt("pekko.http.server.max-connections")).isEqualTo(1024);
    assertThat(config.getBytes("pekko.http.server.parsing.max-content-length"))
        .isEqualTo(settings.maxBodySize());
    assertThat(config.getString("pekko.http.server.parsing.error-handler"))
        .isEqualTo(ParsingProblems.class.getName());
  }

  @Test
  void issuerAndAudienceAreRead() {
    HttpSettings settings = HttpSettings.from(config(Map.of(
        "stepwise.jwt.issuer", "https://id.example", "stepwise.jwt.audience", "stepwise")));
    assertThat(settings.jwt().issuer()).isEqualTo("https://id.example");
    assertThat(settings.jwt().audience()).isEqualTo("stepwise");
  }

  @Test
  void aHeartbeatNoShorterThanTheIdleTimeoutIsRefused() {
    assertThatThrownBy(() -> HttpSettings.from(config(Map.of(
        "stepwise.http.sse-heartbeat", "30s", "pekko.http.server.idle-timeout", "30s"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("STEPWISE_HTTP_SSE_HEARTBEAT")
        .hasMessageContaining("STEPWISE_HTTP_IDLE_TIMEOUT");
  }

  @Test
  void noStreamsOrNoReadTimeIsRefused() {
    assertThatThrownBy(() -> HttpSettings.from(config(Map.of(
        "stepwise.http.max-sse-clients", 0))))
        .hasMessageContaining("STEPWISE_HTTP_MAX_SSE_CLIENTS");
    assertThatThrownBy(() -> HttpSettings.from(config(Map.of(
        "stepwise.http.request-read-timeout", "0s"))))
        .hasMessageContaining("STEPWISE_HTTP_REQUEST_READ_TIMEOUT");
  }
}
