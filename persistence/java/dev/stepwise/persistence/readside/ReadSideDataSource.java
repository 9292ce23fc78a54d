package dev.stepwise.persistence.readside;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.stepwise.persistence.DatabaseSettings;

/** The read side's own small connection pool, apart from the journal's, so neither starves. */
public final class ReadSideDataSource {

  private ReadSideDataSource() {}

  public static HikariDataSource create(DatabaseSettings settings, int maxConnections) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("stepwise-read-side");
    config.setJdbcUrl(settings.url());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setDriverClassName(settings.dialect().driver());
    config.setMaximumPoolSize(maxConnections);
    config.setMinimumIdle(1);
    config.setAutoCommit(false);
    config.setConnectionTimeout(5_000);
    return new HikariDataSource(config);
  }
}
