package dev.stepwise.persistence.readside;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One SQL statement run on a connection the caller holds: prepared, its values bound in order,
 * run, its rows read and everything closed. The transaction stays the caller's to commit.
 */
final class Sql {

  /** Reads the row a result set stands on. */
  @FunctionalInterface
  interface Row<T> {
    T read(ResultSet row) throws SQLException;
  }

  private Sql() {}

  /** Every row the query returns, in order. */
  static <T> List<T> list(Connection c, String sql, Row<T> row, Object... values)
      throws SQLException {
    try (PreparedStatement s = prepare(c, sql, values); ResultSet rows = s.executeQuery()) {
      List<T> all = new ArrayList<>();
      while (rows.next()) {
        all.add(row.read(rows));
      }
      return all;
    }
  }

  /** The query's first row; empty when it returns none. */
  static <T> Optional<T> first(Connection c, String sql, Row<T> row, Object... values)
      throws SQLException {
    try (PreparedStatement s = prepare(c, sql, values); ResultSet rows = s.executeQuery()) {
      return rows.next() ? Optional.ofNullable(row.read(rows)) : Optional.empty();
    }
  }

  /** Runs an INSERT, UPDATE or DELETE; returns how many rows it changed. */
  static int update(Connection c, String sql, Object... values) throws SQLException {
    try (PreparedStatement s = prepare(c, sql, values)) {
      return s.executeUpdate();
    }
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... values)
      throws SQLException {
    PreparedStatement s = c.prepareStatement(sql);
    try {
      for (int i = 0; i < values.length; i++) {
        s.setObject(i + 1, values[i]);
      }
      return s;
    } catch (SQLException | RuntimeException e) {
      s.close();
      throw e;
    }
  }
}
