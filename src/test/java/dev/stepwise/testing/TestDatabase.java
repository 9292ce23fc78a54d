package dev.stepwise.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PostgreSQL the integration tests run on: a real server started once per test JVM from the
 * embedded binaries, or an external one named by {@code STEPWISE_TEST_PG_URL}. Each caller gets a
 * database of its own, so tests never see each other's journals.
 */
public final class TestDatabase {

  /** Where a test's journal lives. */
  public record Credentials(String url, String user, String password) {}

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres embedded;

  private TestDatabase() {}

  public static synchronized Credentials fresh() {
    String external = System.getenv("STEPWISE_TEST_PG_URL");
    String adminUrl;
    String user;
    String password;
    if (external != null && !external.isBlank()) {
      adminUrl = external;
      user = System.getenv().getOrDefault("STEPWISE_TEST_PG_USER", "postgres");
      password = System.getenv().getOrDefault("STEPWISE_TEST_PG_PASSWORD", "");
    } else {
      adminUrl = server().getJdbcUrl("postgres", "postgres");
      user = "postgres";
      password = "";
    }
    String name = "stepwise_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    try (Connection connection = DriverManager.getConnection(adminUrl, user, password);
         Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create test database " + name, e);
    }
    String url = adminUrl.replaceFirst("/[^/?]*(\\?|$)", "/" + name + "$1");
    return new Credentials(url, user, password);
  }

  private static EmbeddedPostgres server() {
    if (embedded == null) {
      try {
        embedded = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new IllegalStateException("could not start the embedded PostgreSQL", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          embedded.close();
        } catch (IOException e) {
          // the JVM is going away; the temp folder goes with the OS's cleanup
        }
      }));
    }
    return embedded;
  }
}
