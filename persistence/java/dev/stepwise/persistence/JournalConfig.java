package dev.stepwise.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;

/** Completes the journal plugin's settings with what follows from the database URL. */
public final class JournalConfig {

  private JournalConfig() {}

  public static Config forDialect(Config config) {
    Dialect dialect = DatabaseSettings.from(config).dialect();
    String shared = "pekko-persistence-jdbc.shared-databases.stepwise.";
    return ConfigFactory.parseMap(Map.of(
            shared + "profile", dialect.slickProfile(),
            shared + "db.driver", dialect.driver(),
            "pekko.projection.jdbc.dialect", dialect.projectionDialect()))
        .withFallback(config);
  }
}
