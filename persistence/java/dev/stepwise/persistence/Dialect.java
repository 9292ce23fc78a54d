package dev.stepwise.persistence;

/** The databases Stepwise journals to, told apart by their JDBC URL. */
public enum Dialect {
  H2("jdbc:h2:", "slick.jdbc.H2Profile$", "org.h2.Driver", "db/h2/"),
  POSTGRES("jdbc:postgresql:", "slick.jdbc.PostgresProfile$", "org.postgresql.Driver",
      "db/postgres/");

  private final String urlPrefix;
  private final String slickProfile;
  private final String driver;
  private final String scriptFolder;

  Dialect(String urlPrefix, String slickProfile, String driver, String scriptFolder) {
    this.urlPrefix = urlPrefix;
    this.slickProfile = slickProfile;
    this.driver = driver;
    this.scriptFolder = scriptFolder;
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

  String script(String name) {
    return scriptFolder + name;
  }
}
