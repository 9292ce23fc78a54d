package dev.stepwise.persistence;

/** The databases Stepwise journals to, told apart by their JDBC URL. */
public enum Dialect {
  H2("jdbc:h2:", "slick.jdbc.H2Profile$", "org.h2.Driver", "classpath:db/h2", "h2-dialect"),
  POSTGRES("jdbc:postgresql:", "slick.jdbc.PostgresProfile$", "org.postgresql.Driver",
      "classpath:db/postgres", "postgres-dialect");

  private final String urlPrefix;
  private final String slickProfile;
  private final String driver;
  private final String migrations;
  private final String projectionDialect;

  Dialect(String urlPrefix, String slickProfile, String driver, String migrations,
      String projectionDialect) {
    this.urlPrefix = urlPrefix;
    this.slickProfile = slickProfile;
    this.driver = driver;
    this.migrations = migrations;
    this.projectionDialect = projectionDialect;
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

  public String projectionDialect() {
    return projectionDialect;
  }

  /** Where this dialect's versioned schema scripts are. */
  String migrations() {
    return migrations;
  }
}
