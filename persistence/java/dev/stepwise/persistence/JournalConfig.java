package dev.stepwise.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Completes the journal plugin's settings with what follows from the database URL. */
public final class JournalConfig {

  private static final String SHARED = "pekko-persistence-jdbc.shared-databases.stepwise.";

  private JournalConfig() {}

  public static Config forDialect(Config config) {
    DatabaseSettings database = DatabaseSettings.from(config);
    Dialect dialect = database.dialect();
    Map<String, Object> derived = new HashMap<>(Map.of(
        SHARED + "profile", dialect.slickProfile(),
        SHARED + "db.driver", dialect.driver(),
        "pekko.projection.jdbc.dialect", dialect.projectionDialect()));
    if (dialect == Dialect.H2) {
      String url = durableH2(database.url());
      derived.put("stepwise.database.url", url);
      derived.put(SHARED + "db.url", url);
    }
    return ConfigFactory.parseMap(derived).withFallback(config);
  }

  /**
   * H2 writes committed transactions to its file only every WRITE_DELAY (500 ms by default), so
   * a {@code kill -9} within that window lost writes the API had already acknowledged. With 0,
   * every commit is written to the file before it returns; the operating system then keeps it
   * whatever happens to the process. A URL that asks for a delay is refused rather than obeyed.
   */
  static String durableH2(String url) {
    String upper = url.toUpperCase(Locale.ROOT);
    int at = upper.indexOf(";WRITE_DELAY=");
    if (at < 0) {
      return url + ";WRITE_DELAY=0";
    }
    String value = upper.substring(at + ";WRITE_DELAY=".length()).split(";", 2)[0].strip();
    if (!value.equals("0")) {
      throw new IllegalArgumentException("stepwise.database.url (STEPWISE_DB_URL) sets H2's "
          + "WRITE_DELAY=" + value + ", which loses acknowledged writes when the node is killed; "
          + "remove it (Stepwise sets WRITE_DELAY=0) or set it to 0");
    }
    return url;
  }
}
