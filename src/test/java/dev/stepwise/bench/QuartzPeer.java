package dev.stepwise.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.quartz.InterruptableJob;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * Quartz 2.5.0 with its JDBC job store (JobStoreTX, PostgreSQL delegate): jobs scheduled in bulk
 * ({@code scheduleJobs}, one transaction for the lot), each with a fire-now trigger, acquired in
 * batches. Its interrupt is cooperative: it calls the running job's {@code interrupt()} and the
 * job decides what to do.
 */
final class QuartzPeer implements Peer {

  private static final int THREADS = 16;

  private final Scheduler scheduler;

  private QuartzPeer(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  /** Creates its database and its tables, from the DDL shipped in Quartz's jar, once. */
  static void createDatabase(DurablePostgres postgres, String database) {
    postgres.createDatabase(database);
    String ddl;
    try (InputStream in = Scheduler.class.getResourceAsStream(
        "/org/quartz/impl/jdbcjobstore/tables_postgres.sql")) {
      ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("Quartz's PostgreSQL DDL is not on the classpath", e);
    }
    try (Connection c = postgres.connect(database); Statement s = c.createStatement()) {
      s.execute(ddl);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create Quartz's tables", e);
    }
  }

  static QuartzPeer start(DurablePostgres postgres, String database) throws SchedulerException {
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", "bench-" + database);
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.scheduler.batchTriggerAcquisitionMaxCount",
        Integer.toString(THREADS));
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(THREADS));
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty("org.quartz.jobStore.driverDelegateClass",
        "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    p.setProperty("org.quartz.jobStore.dataSource", "bench");
    p.setProperty("org.quartz.dataSource.bench.provider", "hikaricp");
    p.setProperty("org.quartz.dataSource.bench.driver", "org.postgresql.Driver");
    p.setProperty("org.quartz.dataSource.bench.URL", postgres.url(database));
    p.setProperty("org.quartz.dataSource.bench.user", postgres.user());
    p.setProperty("org.quartz.dataSource.bench.password", "");
    p.setProperty("org.quartz.dataSource.bench.maxConnections",
        Integer.toString(PeerDatabase.CONNECTIONS));
    Scheduler scheduler = new StdSchedulerFactory(p).getScheduler();
    scheduler.start();
    return new QuartzPeer(scheduler);
  }

  /** A run: its body does the increments. */
  public static final class Run implements Job {
    @Override
    public void execute(JobExecutionContext context) {
      PeerWork.run(context.getMergedJobDataMap().getInt("steps"));
    }
  }

  /** A job that runs until interrupted. */
  public static final class Held implements InterruptableJob {
    @Override
    public void execute(JobExecutionContext context) {
      PeerWork.held();
    }

    @Override
    public void interrupt() {
      PeerWork.releaseHeld();
    }
  }

  @Override
  public String name() {
    return "Quartz 2.5.0";
  }

  @Override
  public String how() {
    return "JDBC job store, bulk scheduleJobs, " + THREADS + " threads, batched acquisition";
  }

  @Override
  public int clients() {
    return 1;
  }

  @Override
  public int maxBatch() {
    return Integer.MAX_VALUE;
  }

  @Override
  public void enqueue(int count, int steps) throws SchedulerException {
    Map<JobDetail, Set<? extends Trigger>> jobs = new HashMap<>();
    for (int i = 0; i < count; i++) {
      JobDetail job = JobBuilder.newJob(Run.class).withIdentity(UUID.randomUUID().toString())
          .usingJobData("steps", steps).build();
      jobs.put(job, Set.of(TriggerBuilder.newTrigger().forJob(job).startNow().build()));
    }
    scheduler.scheduleJobs(jobs, false);
  }

  @Override
  public Samples cancelLatencies(int count) throws Exception {
    Samples samples = new Samples();
    for (int i = 0; i < count; i++) {
      PeerWork.Hold hold = PeerWork.newHold();
      JobDetail job = JobBuilder.newJob(Held.class).withIdentity(UUID.randomUUID().toString())
          .build();
      scheduler.scheduleJob(job, TriggerBuilder.newTrigger().forJob(job).startNow().build());
      if (!hold.running.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("Quartz did not start the held job within 60 s");
      }
      long t0 = System.nanoTime();
      JobKey key = job.getKey();
      scheduler.interrupt(key);
      if (!hold.observed.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the interrupted Quartz job still ran 60 s later");
      }
      samples.add(hold.observedAt - t0);
    }
    return samples;
  }

  @Override
  public void close() {
    try {
      scheduler.shutdown(true);
    } catch (SchedulerException e) {
      throw new IllegalStateException("Quartz did not shut down", e);
    }
  }
}
