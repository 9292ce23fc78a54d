package dev.stepwise.persistence;

import com.typesafe.config.Config;

/** Where the journal lives, read once from {@code stepwise.database}. */
public record DatabaseSettings(String url, String user, String password, int maxConnections) {

  public static DatabaseSettings from(Config config) {
    Config db = config.getConfig("stepwise.database");
    return new DatabaseSettings(db.getString("url"), db.getString("user"),
        db.getString("password"), db.getInt("max-connections"));
  }

  public Dialect dialect() {
    return Dialect.of(url);
  }

  @Override
  public String toString() {
    return "DatabaseSettings[url=" + url + ", user=" + user + ", maxConnections=" + maxConnections
        + "]";
  }
}
