package dev.stepwise.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stepwise.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Versioned migrations on both databases: idempotent, and refusing a schema from the future. */
class SchemaMigrationsIT {

  @TempDir Path dir;

  @Test
  void migratingTwiceIsHarmlessOnPostgres() throws Exception {
    DatabaseSettings db = postgres();
    String first = SchemaMigrations.migrate(db);
    String second = SchemaMigrations.migrate(db);
    assertThat(first).isEqualTo(second).isEqualTo("4");
    assertThat(count(db, "SELECT count(*) FROM flyway_schema_history WHERE success")).isEqualTo(4);
    assertThat(count(db, "SELECT count(*) FROM execution_summary")).isZero();
  }

  @Test
  void migratingTwiceIsHarmlessOnH2() throws Exception {
    DatabaseSettings db = new DatabaseSettings("jdbc:h2:file:" + dir.resolve("db") , "sa", "", 2);
    assertThat(SchemaMigrations.migrate(db)).isEqualTo("4");
    assertThat(SchemaMigrations.migrate(db)).isEqualTo("4");
    assertThat(count(db, "SELECT count(*) FROM \"pekko_projection_offset_store\"")).isZero();
  }

  @Test
  void aSchemaNewerThanTheNodeIsRefusedWithAClearMessage() throws Exception {
    DatabaseSettings db = postgres();
    SchemaMigrations.migrate(db);
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
         Statement s = c.createStatement()) {
      s.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type,"
          + " script, checksum, installed_by, installed_on, execution_time, success)"
          + " VALUES (100, '99', 'from a later release', 'SQL', 'V99__later.sql', 0, 'test',"
          + " now(), 0, true)");
    }
    assertThatThrownBy(() -> SchemaMigrations.migrate(db))
        .hasMessageContaining("schema version 99")
        .hasMessageContaining("newer than this node understands (4)");
  }

  private static DatabaseSettings postgres() {
    TestDatabase.Credentials credentials = TestDatabase.fresh();
    return new DatabaseSettings(credentials.url(), credentials.user(), credentials.password(), 2);
  }

  private static long count(DatabaseSettings db, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
         ResultSet rows = c.createStatement().executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
