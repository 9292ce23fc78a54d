package dev.stepwise.persistence;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Creates the journal's tables when they are missing. Runs at every start and changes nothing
 * when the tables are there; on PostgreSQL an advisory lock keeps nodes starting together from
 * racing each other.
 */
public final class JournalSchema {

  private static final long LOCK_KEY = 0x5745505749534531L;

  private JournalSchema() {}

  public static void ensure(DatabaseSettings settings) {
    Dialect dialect = settings.dialect();
    String script = read(dialect.script("journal.sql"));
    try (Connection connection =
             DriverManager.getConnection(settings.url(), settings.user(), settings.password());
         Statement statement = connection.createStatement()) {
      if (dialect == Dialect.POSTGRES) {
        statement.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
      }
      try {
        for (String sql : statements(script)) {
          statement.execute(sql);
        }
      } finally {
        if (dialect == Dialect.POSTGRES) {
          statement.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not create the journal tables at " + settings.url()
          + ": " + e.getMessage() + " (check STEPWISE_DB_URL, STEPWISE_DB_USER and "
          + "STEPWISE_DB_PASSWORD, and that the database is up)", e);
    }
  }

  private static String[] statements(String script) {
    StringBuilder withoutComments = new StringBuilder();
    for (String line : script.split("\n")) {
      if (!line.strip().startsWith("--")) {
        withoutComments.append(line).append('\n');
      }
    }
    return java.util.Arrays.stream(withoutComments.toString().split(";"))
        .map(String::strip)
        .filter(sql -> !sql.isEmpty())
        .toArray(String[]::new);
  }

  private static String read(String resource) {
    try (InputStream in = JournalSchema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing " + resource + " on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("could not read " + resource, e);
    }
  }
}
