package dev.stepwise.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.stepwise.persistence.Dialect;
import dev.stepwise.persistence.JournalConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Loads a node's configuration: {@code application.conf} with its environment overrides, plus the
 * settings that follow from others (the journal's dialect, the seed node list, the bootstrap's
 * contact points).
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
    config = ContactPoints.fromEnvironment(environment, config);
    return JournalConfig.forDialect(config);
  }

  /**
   * Refuses a configuration that would lose data: an H2 file is one node's private database, so
   * a cluster of several nodes on H2 would give each node a journal of its own, and an execution
   * that moves to another node would start there from nothing.
   */
  public static void requireSharedDatabaseForClusters(Config config) {
    List<String> seeds = config.getStringList("pekko.cluster.seed-nodes").stream()
        .map(String::strip).distinct().toList();
    String url = config.getString("stepwise.database.url");
    String discovery = config.getString("stepwise.cluster.discovery");
    if (!discovery.isBlank() && !seeds.isEmpty()) {
      throw new IllegalStateException("both seed nodes " + seeds + " and cluster bootstrap ("
          + "STEPWISE_DISCOVERY=" + discovery + ") are configured; set one of them");
    }
    if (!discovery.isBlank() && Dialect.of(url) == Dialect.H2) {
      throw new IllegalStateException("cluster bootstrap (STEPWISE_DISCOVERY=" + discovery
          + ") forms a cluster of several nodes, but the database is H2, which only one node "
          + "can use. Set STEPWISE_DB_URL=jdbc:postgresql://host:5432/db (and STEPWISE_DB_USER, "
          + "STEPWISE_DB_PASSWORD) on every node.");
    }
    if (seeds.size() > 1 && Dialect.of(url) == Dialect.H2) {
      throw new IllegalStateException("the seed nodes name " + seeds.size() + " nodes "
          + seeds + ", but the database is H2, which only one node can use. A cluster needs a "
          + "shared PostgreSQL: set STEPWISE_DB_URL=jdbc:postgresql://host:5432/db (and "
          + "STEPWISE_DB_USER, STEPWISE_DB_PASSWORD) on every node, or name one seed node only.");
    }
  }
}
