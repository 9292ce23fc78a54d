package dev.stepwise.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The embedded PostgreSQL made durable. Its builder starts the server with {@code -F} (fsync off)
 * and {@code synchronous_commit=off}, which is right for tests and wrong for a benchmark: every
 * commit here waits for its WAL flush, as in production. The settings are read back with SHOW.
 */
final class DurablePostgres implements AutoCloseable {

  /** The settings that make a commit wait for the disk; each is also verified. */
  static final Map<String, String> DURABLE = Map.of(
      "fsync", "on", "synchronous_commit", "on", "full_page_writes", "on");

  private final EmbeddedPostgres server;
  private final Map<String, String> shown;
  private final String version;

  private DurablePostgres(EmbeddedPostgres server) throws SQLException {
    this.server = server;
    Map<String, String> settings = new LinkedHashMap<>();
    String v;
    try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
      for (String name : new String[] {"fsync", "synchronous_commit", "full_page_writes",
          "wal_sync_method", "shared_buffers"}) {
        try (ResultSet r = s.executeQuery("SHOW " + name)) {
          r.next();
          settings.put(name, r.getString(1));
        }
      }
      try (ResultSet r = s.executeQuery("SHOW server_version")) {
        r.next();
        v = r.getString(1);
      }
    }
    this.shown = Map.copyOf(settings);
    this.version = v;
    DURABLE.forEach((name, value) -> {
      if (!value.equals(shown.get(name))) {
        throw new IllegalStateException("PostgreSQL is not durable: SHOW " + name + " says "
            + shown.get(name) + ", expected " + value);
      }
    });
  }

  /**
   * @param extra more server settings, for profiling (e.g. {@code log_min_duration_statement});
   *     they may not touch the durable ones
   */
  static DurablePostgres start(Map<String, String> extra) {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    extra.forEach((name, value) -> {
      if (DURABLE.containsKey(name)) {
        throw new IllegalArgumentException(name + " stays " + DURABLE.get(name));
      }
      builder.setServerConfig(name, value);
    });
    // given after the builder's own -F, so these win
    DURABLE.forEach(builder::setServerConfig);
    try {
      return new DurablePostgres(builder.start());
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("could not start a durable embedded PostgreSQL", e);
    }
  }

  /** A line saying what was set and what SHOW answered. */
  String describe() {
    return "PostgreSQL " + version + " (embedded), made durable: set fsync=on,"
        + " synchronous_commit=on (the embedded defaults are off); SHOW says fsync="
        + shown.get("fsync")
        + ", synchronous_commit=" + shown.get("synchronous_commit") + ", full_page_writes="
        + shown.get("full_page_writes") + ", wal_sync_method=" + shown.get("wal_sync_method")
        + ", shared_buffers=" + shown.get("shared_buffers");
  }

  /** Creates an empty database and returns its JDBC URL. */
  String createDatabase(String name) {
    try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return url(name);
  }

  String url(String database) {
    return server.getJdbcUrl("postgres", database);
  }

  String user() {
    return "postgres";
  }

  Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(url(database), "postgres", "");
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new IllegalStateException("could not stop the embedded PostgreSQL", e);
    }
  }
}
