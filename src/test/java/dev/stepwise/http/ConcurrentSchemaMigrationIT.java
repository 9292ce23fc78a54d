package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.stepwise.persistence.DatabaseSettings;
import dev.stepwise.persistence.SchemaMigrations;
import dev.stepwise.testing.TestDatabase;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The nodes of a new cluster start together on one empty database: each migrates the schema at
 * the same moment, and each must start (Flyway's baseline of an empty database races unless they
 * take turns).
 */
class ConcurrentSchemaMigrationIT {

  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void threeNodesMigratingOneEmptyDatabaseAtOnceAllSucceed() throws Exception {
    ExecutorService nodes = Executors.newFixedThreadPool(3);
    try {
      for (int round = 0; round < 5; round++) {
        TestDatabase.Credentials database = TestDatabase.fresh();
        DatabaseSettings settings = DatabaseSettings.from(NodeConfig.load(ConfigFactory.parseMap(
            Map.of("stepwise.database.url", database.url(),
                "stepwise.database.user", database.user(),
                "stepwise.database.password", database.password())), Map.of()));
        CountDownLatch together = new CountDownLatch(3);
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (int node = 0; node < 3; node++) {
          starts.add(CompletableFuture.runAsync(() -> {
            together.countDown();
            try {
              together.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            SchemaMigrations.migrate(settings);
          }, nodes));
        }
        CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        try (var connection = DriverManager.getConnection(database.url(), database.user(),
                database.password());
             var rows = connection.createStatement().executeQuery(
                 "select count(*) from flyway_schema_history where success")) {
          rows.next();
          assertThat(rows.getInt(1)).as("applied migrations, round " + round).isGreaterThan(0);
        }
      }
    } finally {
      nodes.shutdownNow();
    }
  }
}
