package dev.stepwise.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.stepwise.persistence.JournalConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Loads a node's configuration: {@code application.conf} with its environment overrides, plus the
 * settings that follow from others (the journal's dialect, the seed node list).
 */
public final class NodeConfig {

  private NodeConfig() {}

  public static Config load() {
    return load(ConfigFactory.empty(), System.getenv());
  }

  /** {@code overrides} win over application.conf; tests use them instead of the environment. */
  public static Config load(Config overrides, Map<String, String> environment) {
    Config config = ConfigFactory.load(overrides.withFallback(ConfigFactory.defaultApplication()));
    String seeds = environment.get("STEPWISE_SEED_NODES");
    if (seeds != null && !seeds.isBlank() && !overrides.hasPath("pekko.cluster.seed-nodes")) {
      List<String> list = Arrays.stream(seeds.split(",")).map(String::strip)
          .filter(s -> !s.isEmpty()).toList();
      config = ConfigFactory.parseMap(Map.of("pekko.cluster.seed-nodes", list))
          .withFallback(config);
    }
    return JournalConfig.forDialect(config);
  }
}
