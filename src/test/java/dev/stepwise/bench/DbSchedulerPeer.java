package dev.stepwise.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * db-scheduler 15.0.0: one-time tasks, scheduled due now with immediate execution on, fetched
 * with its lock-and-fetch strategy (the faster one on PostgreSQL). It has no bulk schedule, so a
 * pool of client threads schedules one task per call. It cannot stop a running execution.
 */
final class DbSchedulerPeer implements Peer {

  /** Its table, as its documentation gives it for PostgreSQL. */
  private static final String DDL = "CREATE TABLE scheduled_tasks ("
      + " task_name TEXT NOT NULL, task_instance TEXT NOT NULL, task_data BYTEA,"
      + " execution_time TIMESTAMP WITH TIME ZONE NOT NULL, picked BOOLEAN NOT NULL,"
      + " picked_by TEXT, last_success TIMESTAMP WITH TIME ZONE,"
      + " last_failure TIMESTAMP WITH TIME ZONE, consecutive_failures INT,"
      + " last_heartbeat TIMESTAMP WITH TIME ZONE, version BIGINT NOT NULL, priority SMALLINT,"
      + " PRIMARY KEY (task_name, task_instance));"
      + " CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);"
      + " CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);"
      + " CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC,"
      + " execution_time ASC)";
  private static final int THREADS = 16;
  private static final int CLIENTS = 8;

  private final HikariDataSource dataSource;
  private final OneTimeTask<Integer> task;
  private final Scheduler scheduler;

  private DbSchedulerPeer(HikariDataSource dataSource) {
    this.dataSource = dataSource;
    this.task = Tasks.oneTime("bench-run", Integer.class)
        .execute((instance, context) -> PeerWork.run(instance.getData()));
    this.scheduler = Scheduler.create(dataSource, task)
        .threads(THREADS)
        .pollUsingLockAndFetch(0.5, 3.0)
        .pollingInterval(Duration.ofSeconds(1))
        .enableImmediateExecution()
        .build();
  }

  /** Creates its database and table once; each round then starts a scheduler on it. */
  static void createDatabase(DurablePostgres postgres, String database) {
    postgres.createDatabase(database);
    try (HikariDataSource ds = PeerDatabase.open(postgres, database);
         Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute(DDL);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create db-scheduler's table", e);
    }
  }

  static DbSchedulerPeer start(HikariDataSource dataSource) {
    DbSchedulerPeer peer = new DbSchedulerPeer(dataSource);
    peer.scheduler.start();
    return peer;
  }

  @Override
  public String name() {
    return "db-scheduler 15.0.0";
  }

  @Override
  public String how() {
    return "one-time task scheduled one by one (" + CLIENTS + " clients), lock-and-fetch, "
        + THREADS + " threads";
  }

  @Override
  public int clients() {
    return CLIENTS;
  }

  @Override
  public int maxBatch() {
    return 1;
  }

  @Override
  public void enqueue(int count, int steps) {
    Instant now = Instant.now();
    for (int i = 0; i < count; i++) {
      scheduler.schedule(task.instance(UUID.randomUUID().toString(), steps), now);
    }
  }

  @Override
  public Samples cancelLatencies(int count) {
    return null;
  }

  @Override
  public void close() {
    scheduler.stop();
    dataSource.close();
  }
}
