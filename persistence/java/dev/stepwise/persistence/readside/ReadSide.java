package dev.stepwise.persistence.readside;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariDataSource;
import dev.stepwise.persistence.DatabaseSettings;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/** The read side of a node: its pool, the summary projection, and the queries over it. */
public record ReadSide(HikariDataSource dataSource, ExecutionSummaries summaries) {

  public static ReadSide init(ActorSystem<?> system) {
    Config config = system.settings().config();
    HikariDataSource dataSource = ReadSideDataSource.create(DatabaseSettings.from(config),
        config.getInt("stepwise.read-side.max-connections"));
    ExecutionSummaryProjection.init(system, dataSource);
    Optional<Cancellable> retention = JournalRetention.schedule(system, dataSource);
    Optional<Cancellable> statistics = JournalStatistics.schedule(system, dataSource);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "close-read-side", () -> {
          retention.ifPresent(Cancellable::cancel);
          statistics.ifPresent(Cancellable::cancel);
          dataSource.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    var blocking = system.dispatchers().lookup(
        DispatcherSelector.fromConfig("stepwise.read-side.dispatcher"));
    return new ReadSide(dataSource, new ExecutionSummaries(dataSource, blocking));
  }
}
