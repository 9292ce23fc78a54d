package dev.stepwise.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.jobs.JobId;
import org.jobrunr.scheduling.JobScheduler;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.storage.sql.common.SqlStorageProviderFactory;

/**
 * JobRunr 7.3.2 (open source) on its SQL storage: jobs enqueued in bulk
 * ({@code enqueue(Stream, lambda)}, one save for the lot), a background job server polling at its
 * smallest allowed interval for SQL storage, 5 s. A delete of a processing job reaches the running
 * code as a thread interrupt once the server notices it on a poll.
 */
final class JobRunrPeer implements Peer {

  /** The smallest poll interval JobRunr accepts with SQL storage. */
  static final Duration POLL = Duration.ofSeconds(5);
  private static final int WORKERS = 16;

  private final HikariDataSource dataSource;
  private final JobScheduler scheduler;

  private JobRunrPeer(HikariDataSource dataSource, JobScheduler scheduler) {
    this.dataSource = dataSource;
    this.scheduler = scheduler;
  }

  /** JobRunr creates its tables on first start. */
  static JobRunrPeer start(HikariDataSource dataSource) {
    JobScheduler scheduler = JobRunr.configure()
        .useStorageProvider(SqlStorageProviderFactory.using(dataSource))
        .useBackgroundJobServer(BackgroundJobServerConfiguration
            .usingStandardBackgroundJobServerConfiguration()
            .andPollInterval(POLL)
            .andWorkerCount(WORKERS))
        .initialize()
        .getJobScheduler();
    return new JobRunrPeer(dataSource, scheduler);
  }

  @Override
  public String name() {
    return "JobRunr 7.3.2";
  }

  @Override
  public String how() {
    return "bulk enqueue, " + WORKERS + " workers, poll " + POLL.toSeconds() + " s";
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
  public void enqueue(int count, int steps) {
    scheduler.enqueue(IntStream.range(0, count).boxed(), i -> PeerWork.run(steps));
  }

  @Override
  public Samples cancelLatencies(int count) throws InterruptedException {
    Samples samples = new Samples();
    for (int i = 0; i < count; i++) {
      PeerWork.Hold hold = PeerWork.newHold();
      JobId id = scheduler.enqueue(PeerWork::held);
      if (!hold.running.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("JobRunr did not start the held job within 60 s");
      }
      long t0 = System.nanoTime();
      scheduler.delete(id);
      if (!hold.observed.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the deleted JobRunr job still ran 60 s later");
      }
      samples.add(hold.observedAt - t0);
    }
    return samples;
  }

  @Override
  public void close() {
    JobRunr.destroy();
    dataSource.close();
  }
}
