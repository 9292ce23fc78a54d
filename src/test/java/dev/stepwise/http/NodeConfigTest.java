package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A node refuses H2 once its seed nodes name a cluster of more than one node. */
class NodeConfigTest {

  static final String PG = "jdbc:postgresql://127.0.0.1:5432/stepwise";

  static com.typesafe.config.Config load(String url, String seeds) {
    return NodeConfig.load(ConfigFactory.parseMap(Map.of("stepwise.database.url", url)),
        seeds == null ? Map.of() : Map.of("STEPWISE_SEED_NODES", seeds));
  }

  @Test
  void h2WithSeveralSeedNodesIsRefusedWithAClearMessage() {
    var config = load("jdbc:h2:file:./data/stepwise",
        "pekko://stepwise@127.0.0.1:25520, pekko://stepwise@127.0.0.1:25521");
    assertThatThrownBy(() -> NodeConfig.requireSharedDatabaseForClusters(config))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("H2")
        .hasMessageContaining("STEPWISE_DB_URL=jdbc:postgresql://")
        .hasMessageContaining("2 nodes");
  }

  @Test
  void h2WithNoSeedOrOneSeedNodeIsAccepted() {
    assertThatCode(() -> NodeConfig.requireSharedDatabaseForClusters(
        load("jdbc:h2:file:./data/stepwise", null))).doesNotThrowAnyException();
    assertThatCode(() -> NodeConfig.requireSharedDatabaseForClusters(
        load("jdbc:h2:file:./data/stepwise", "pekko://stepwise@127.0.0.1:25520")))
        .doesNotThrowAnyException();
  }

  @Test
  void theSameSeedNamedTwiceIsOneNode() {
    assertThatCode(() -> NodeConfig.requireSharedDatabaseForClusters(load(
        "jdbc:h2:file:./data/stepwise",
        "pekko://stepwise@127.0.0.1:25520,pekko://stepwise@127.0.0.1:25520")))
        .doesNotThrowAnyException();
  }

  @Test
  void postgresWithThreeSeedNodesIsAccepted() {
    var config = load(PG, "pekko://stepwise@127.0.0.1:25520,pekko://stepwise@127.0.0.1:25521,"
        + "pekko://stepwise@127.0.0.1:25522");
    assertThatCode(() -> NodeConfig.requireSharedDatabaseForClusters(config))
        .doesNotThrowAnyException();
    assertThat(config.getStringList("pekko.cluster.seed-nodes"))
        .hasSize(3).isEqualTo(List.of("pekko://stepwise@127.0.0.1:25520",
            "pekko://stepwise@127.0.0.1:25521", "pekko://stepwise@127.0.0.1:25522"));
  }
}
