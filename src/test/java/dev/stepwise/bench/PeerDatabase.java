package dev.stepwise.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/** A fresh database of the durable PostgreSQL for one peer, with a pool as big as the node's. */
final class PeerDatabase {

  /** The node's journal pool (stepwise.database.max-connections) plus its read side's. */
  static final int CONNECTIONS = 12;

  private PeerDatabase() {}

  /** A pool on {@code database}, which must exist. */
  static HikariDataSource open(DurablePostgres postgres, String database) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(postgres.url(database));
    config.setUsername(postgres.user());
    config.setPassword("");
    config.setMaximumPoolSize(CONNECTIONS);
    config.setPoolName("bench-" + database);
    return new HikariDataSource(config);
  }
}
