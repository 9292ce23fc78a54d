package dev.stepwise.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many executions running at once on one node: each holds a long sleep step (an entity actor and
 * a step child with a timer). Heap is read after full collections, before and with them running;
 * the difference per execution is what one running execution costs. Includes everything else in
 * this JVM (the benchmark itself; Maven, when run through it), so the total errs high.
 */
final class HeldExecutions {

  record Result(int running, long heapUsedBytes, double bytesPerExecution) {}

  private HeldExecutions() {}

  static Result measure(BenchNode node, ApiClient api, String job, int count, int requests,
      Progress progress) throws InterruptedException {
    int liveBefore = node.liveExecutions();
    long before = usedAfterGc();
    List<String> ids = Collections.synchronizedList(new ArrayList<>());
    Semaphore open = new Semaphore(requests);
    AtomicInteger failed = new AtomicInteger();
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      open.acquire();
      calls.add(api.startAsync(job).whenComplete((answer, failure) -> {
        open.release();
        if (failure == null && answer.status() == 202) {
          ids.add(answer.json().get("id").asText());
        } else {
          failed.incrementAndGet();
        }
      }));
      if ((i + 1) % 2_000 == 0) {
        progress.say("  %,d of %,d started", i + 1, count);
      }
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " starts were refused");
    }
    int live = node.liveExecutions();
    long with = usedAfterGc();
    progress.say("  %,d running (%,d live entities); stopping them", ids.size(), live);
    api.stopAll(ids);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (node.liveExecutions() > liveBefore && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    return new Result(live - liveBefore, with, (with - before) / (double) count);
  }

  static long usedAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      memory.gc();
      Thread.sleep(100);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
