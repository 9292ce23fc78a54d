package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Cluster bootstrap's settings from the environment: the contact points config discovery reads,
 * and the combinations a node refuses before it could split or lose data.
 */
class BootstrapConfigTest {

  static final String PG = "jdbc:postgresql://127.0.0.1:5432/stepwise";

  static Config load(String url, Map<String, String> environment) {
    Map<String, Object> overrides = new HashMap<>(Map.of("stepwise.database.url", url));
    if (environment.containsKey("STEPWISE_DISCOVERY")) {
      overrides.put("stepwise.cluster.discovery", environment.get("STEPWISE_DISCOVERY"));
    }
    return NodeConfig.load(ConfigFactory.parseMap(overrides), environment);
  }

  @Test
  void listedEndpointsBecomeTheConfigDiscoverysService() {
    Config config = load(PG, Map.of("STEPWISE_DISCOVERY", "config",
        "STEPWISE_BOOTSTRAP_ENDPOINTS", "127.0.0.1:7626, 10.0.0.2:7700"));
    var endpoints = config.getConfigList("pekko.discovery.config.services.stepwise.endpoints");
    assertThat(endpoints).hasSize(2);
    assertThat(endpoints.get(0).getString("host")).isEqualTo("127.0.0.1");
    assertThat(endpoints.get(0).getInt("port")).isEqualTo(7626);
    assertThat(endpoints.get(1).getString("host")).isEqualTo("10.0.0.2");
    assertThat(endpoints.get(1).getInt("port")).isEqualTo(7700);
    NodeConfig.requireSharedDatabaseForClusters(config);
  }

  @Test
  void anEndpointWithoutAPortIsRefusedByName() {
    assertThatThrownBy(() -> load(PG, Map.of("STEPWISE_BOOTSTRAP_ENDPOINTS", "127.0.0.1:7626,node-b")))
        .hasMessageContaining("STEPWISE_BOOTSTRAP_ENDPOINTS")
        .hasMessageContaining("'node-b' is not host:port");
  }

  @Test
  void seedNodesAndBootstrapTogetherAreRefused() {
    Config config = load(PG, Map.of("STEPWISE_DISCOVERY", "config",
        "STEPWISE_SEED_NODES", "pekko://stepwise@127.0.0.1:25520"));
    assertThatThrownBy(() -> NodeConfig.requireSharedDatabaseForClusters(config))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("set one of them");
  }

  @Test
  void bootstrapOnH2IsRefused() {
    Config config = load("jdbc:h2:file:./data/stepwise", Map.of("STEPWISE_DISCOVERY", "config"));
    assertThatThrownBy(() -> NodeConfig.requireSharedDatabaseForClusters(config))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("H2")
        .hasMessageContaining("STEPWISE_DB_URL=jdbc:postgresql://");
  }

  @Test
  void withoutDiscoveryTheNodeFormsItsClusterAsBefore() {
    Config config = load(PG, Map.of());
    assertThat(config.getString("stepwise.cluster.discovery")).isEmpty();
    assertThat(config.getStringList("pekko.cluster.seed-nodes")).isEmpty();
  }
}
