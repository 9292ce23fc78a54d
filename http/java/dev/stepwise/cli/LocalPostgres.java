package dev.stepwise.cli;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code stepwise postgres}: a real PostgreSQL from the embedded binaries the tests use, for a
 * local cluster on a machine without Docker or a database server. It keeps its files in
 * {@code --data}, so a restart finds the journal again, makes a {@code stepwise} role and
 * database, and runs until interrupted. For trying Stepwise out only: it listens on loopback and
 * trusts local connections.
 */
final class LocalPostgres {

  /** The line a script can wait for; docs/operations.md's recipe does. */
  static final String READY = "PostgreSQL is ready";

  private LocalPostgres() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    Arguments arguments;
    int port;
    try {
      arguments = Arguments.parse(List.of(args), Set.of("data", "port"));
      arguments.noPositional();
      port = port(arguments.option("port").orElse("5432"));
    } catch (CommandFailure e) {
      err.println("stepwise postgres: " + e.getMessage()
          + "\nusage: stepwise postgres [--data DIR] [--port N]");
      return ExitCode.USAGE.code;
    }
    if (arguments.flag("help")) {
      out.println("usage: stepwise postgres [--data DIR] [--port N]   (defaults ./pgdata, 5432)");
      return ExitCode.OK.code;
    }
    Path data = Path.of(arguments.option("data").orElse("pgdata")).toAbsolutePath().normalize();
    try {
      Files.createDirectories(data);
      EmbeddedPostgres server = EmbeddedPostgres.builder()
          .setDataDirectory(data)
          .setCleanDataDirectory(false)
          .setPort(port)
          .start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> close(server), "postgres-stop"));
      createDatabase(server, port);
      out.println(READY + " on 127.0.0.1:" + port + ", data in " + data + ". For the nodes:\n"
          + "  STEPWISE_DB_URL=jdbc:postgresql://127.0.0.1:" + port + "/stepwise"
          + " STEPWISE_DB_USER=stepwise STEPWISE_DB_PASSWORD=stepwise\n"
          + "Ctrl-C (or SIGTERM) stops it.");
      out.flush();
      new CountDownLatch(1).await();
      return ExitCode.OK.code;
    } catch (IOException | SQLException | RuntimeException e) {
      err.println("stepwise postgres: could not start PostgreSQL on port " + port + " in " + data
          + ": " + e.getMessage());
      return ExitCode.FAILED.code;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCode.OK.code;
    }
  }

  /** The role and database the recipe's nodes use; there already after a restart. */
  private static void createDatabase(EmbeddedPostgres server, int port) throws SQLException {
    try (Connection connection = DriverManager.getConnection(
            "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
         Statement statement = connection.createStatement()) {
      var role = statement.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = 'stepwise'");
      if (!role.next()) {
        statement.execute("CREATE ROLE stepwise LOGIN PASSWORD 'stepwise'");
      }
      var database = statement.executeQuery(
          "SELECT 1 FROM pg_database WHERE datname = 'stepwise'");
      if (!database.next()) {
        statement.execute("CREATE DATABASE stepwise OWNER stepwise");
      }
    }
  }

  private static int port(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port > 0 && port < 65536) {
        return port;
      }
    } catch (NumberFormatException e) {
      // the usage error below
    }
    throw CommandFailure.usage("--port needs a port number, not '" + text + "'");
  }

  private static void close(EmbeddedPostgres server) {
    try {
      server.close();
    } catch (IOException e) {
      System.err.println("stepwise postgres: stopping failed: " + e.getMessage());
    }
  }
}
