package dev.stepwise.persistence;

/** The databases Stepwise journals to, told apart by their JDBC URL. */
public enum Dialect {
  H2("jdbc:h2:", "slick.jdbc.H2Profile$", "org.h2.Driver", "classpath:db/h2"),
  POSTGRES("jdbc:postgresql:", "slick.jdbc.PostgresProfile$", "org.postgresql.Driver",
      "classpath:db/postgres");

  private final String urlPrefix;
  private final String slickProfile;
  private final String driver;
  private final String migrations;

  Dialect(String urlPrefix, String slickProfile, String driver, String migrations) {
    this.urlPrefix = urlPrefix;
    this.slickProfile = slickProfile;
    this.driver = driver;
    this.migrations = migrations;
  }

  public static Dialect of(String url) {
    for (Dialect dialect : values()) {
      if (url != null && url.startsWith(dialect.urlPrefix)) {
        return dialect;
      }
    }
    throw new IllegalArgumentException("stepwise.database.url (STEPWISE_DB_URL) must start with "
        + "jdbc:h2: or jdbc:postgresql:, not '" + url + "'");
  }

  public String slickProfile() {
    return slickProfile;
  }

  public String driver() {
    return driver;
  }

  /** Where this dialect's versioned schema scripts are. */
  String migrations() {
    return migrations;
  }
}
