package dev.stepwise.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.DriverManager;
import org.junit.jupiter.api.Test;

class TestDatabaseTest {
  @Test
  void givesEachCallerItsOwnDatabase() throws Exception {
    var first = TestDatabase.fresh();
    var second = TestDatabase.fresh();
    assertThat(first.url()).isNotEqualTo(second.url());
    try (var c = DriverManager.getConnection(first.url(), first.user(), first.password());
         var rs = c.createStatement().executeQuery("select current_database()")) {
      rs.next();
      assertThat(first.url()).contains(rs.getString(1));
    }
  }
}
