package dev.stepwise.persistence;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings the database schema (journal, snapshots, read side, projection offsets) to the version
 * this node understands, with the versioned scripts under {@code db/common/} and {@code db/<dialect>/}. Running it again
 * changes nothing; a schema newer than this node is refused, since this node would misread it.
 * Nodes starting together on PostgreSQL take turns, under an advisory lock.
 */
public final class SchemaMigrations {

  /** Scripts whose SQL both dialects read alike; the dialect folders hold the rest. */
  static final String COMMON_MIGRATIONS = "classpath:db/common";

  private SchemaMigrations() {}

  /** Any constant shared by all nodes; names the PostgreSQL advisory lock of migrations. */
  private static final long LOCK_KEY = 0x5374657077697365L;

  /**
   * @return the schema version after the run
   * @throws IllegalStateException with what to do next, when the schema cannot be brought up
   */
  public static String migrate(DatabaseSettings settings) {
    if (settings.dialect() != Dialect.POSTGRES) {
      return migrateNow(settings); // H2 is a single node's file: no one to race
    }
    // Nodes of a new cluster start together; Flyway's first run on an empty database (the
    // baseline of its history table) is not safe against another node's, so they take turns.
    try (Connection lock = DriverManager.getConnection(settings.url(), settings.user(),
             settings.password());
         Statement statement = lock.createStatement()) {
      statement.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
      try {
        return migrateNow(settings);
      } finally {
        statement.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not reach the database at " + settings.url() + ": "
          + e.getMessage() + " (check STEPWISE_DB_URL, STEPWISE_DB_USER and "
          + "STEPWISE_DB_PASSWORD, and that the database is up)", e);
    }
  }

  private static String migrateNow(DatabaseSettings settings) {
    Flyway flyway = flyway(settings);
    refuseNewerSchema(flyway, settings);
    try {
      MigrateResult result = flyway.migrate();
      return result.targetSchemaVersion != null ? result.targetSchemaVersion
          : flyway.info().current().getVersion().getVersion();
    } catch (RuntimeException e) {
      throw new IllegalStateException("could not migrate the schema at " + settings.url() + ": "
          + e.getMessage() + " (check STEPWISE_DB_URL, STEPWISE_DB_USER and "
          + "STEPWISE_DB_PASSWORD, and that the database is up)", e);
    }
  }

  private static Flyway flyway(DatabaseSettings settings) {
    return Flyway.configure()
        .dataSource(settings.url(), settings.user(), settings.password())
        .locations(COMMON_MIGRATIONS, settings.dialect().migrations())
        // databases created before migrations existed hold V1's tables already; V1 is idempotent
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load();
  }

  private static void refuseNewerSchema(Flyway flyway, DatabaseSettings settings) {
    MigrationInfo[] applied = flyway.info().applied();
    MigrationInfo[] future = Arrays.stream(applied)
        .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS
            || m.getState() == MigrationState.FUTURE_FAILED)
        .toArray(MigrationInfo[]::new);
    if (future.length > 0) {
      MigrationInfo newest = future[future.length - 1];
      MigrationInfo[] known = flyway.info().all();
      String understood = Arrays.stream(known)
          .filter(m -> m.getState() != MigrationState.FUTURE_SUCCESS
              && m.getState() != MigrationState.FUTURE_FAILED && m.getVersion() != null)
          .reduce((a, b) -> b).map(m -> m.getVersion().getVersion()).orElse("none");
      throw new IllegalStateException("the database at " + settings.url()
          + " has schema version " + newest.getVersion() + " (" + newest.getDescription()
          + "), newer than this node understands (" + understood + "). Run a node of the "
          + "newer release, or point STEPWISE_DB_URL at another database.");
    }
  }
}
